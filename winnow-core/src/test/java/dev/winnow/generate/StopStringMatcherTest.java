package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {
    @Test
    void stopStringSplitAcrossPiecesIsNeverEmitted() {
        StopStringMatcher m = new StopStringMatcher(List.of("\nUser:"));
        StringBuilder out = new StringBuilder();
        for (String piece : new String[] {"Hello", " there", "\n", "Us", "er", ": more"}) out.append(m.add(piece));
        assertThat(m.stopped()).isTrue();
        assertThat(out.toString()).isEqualTo("Hello there");
        assertThat(m.text()).isEqualTo("Hello there");
    }

    @Test
    void heldBackTextIsReleasedWhenItIsNotAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("END"));
        StringBuilder out = new StringBuilder();
        out.append(m.add("the EN"));
        assertThat(out.toString()).isEqualTo("the ");
        out.append(m.add("D? no, ENx"));
        assertThat(m.stopped()).isTrue();
        assertThat(out.toString()).isEqualTo("the ");
        StopStringMatcher n = new StopStringMatcher(List.of("END"));
        String a = n.add("ENx") + n.finish();
        assertThat(a).isEqualTo("ENx");
    }
}
