package dev.winnow.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fuzzing findings: template errors are one printable line whatever the template holds. */
class TemplateErrorMessageTest {
    @Test
    void controlCharacterInTheSourceIsEscapedInTheSyntaxError() {
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> ChatTemplate.of("{{ messages \u000f\u001b[2J }}").render(List.of(ChatMessage.user("hi")), true));
        assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX);
        assertThat(e.getMessage()).startsWith("line 1, column ").contains("\\x0f")
                .doesNotContain("\u000f").doesNotContain("\u001b");
    }

    @Test
    void hugeRaisedMessageIsCutInTheMessageButKeptWholeInTheReason() {
        String text = "x".repeat(5_000) + "\n" + "y";
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> JinjaTemplate.parse("{{ raise_exception(t) }}").render(Map.of("t", text)));
        assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
        assertThat(e.reason()).isEqualTo(text);
        assertThat(e.getMessage()).hasSizeLessThan(1_100).endsWith("…(5002 chars)").doesNotContain("\n");
    }
}
