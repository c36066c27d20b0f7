package dev.winnow.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.winnow.OnStoriesModel;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Grammar-constrained sampling end to end on stories260K (a story model that knows nothing of
 * JSON): at temperature 1 every output must parse and validate against its schema with an
 * independent validator (networknt), and generation must end because the value is complete.
 */
class SchemaGenerationTest extends OnStoriesModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120}},\"required\":[\"name\",\"age\"]}",
        "{\"type\":\"object\",\"properties\":{\"mood\":{\"enum\":[\"happy\",\"sad\",\"angry\"]},\"ok\":{\"type\":\"boolean\"}},\"required\":[\"mood\"]}",
        "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":5},\"minItems\":2,\"maxItems\":4}",
        "{\"type\":\"object\",\"properties\":{\"pet\":{\"type\":\"object\",\"properties\":{\"kind\":{\"const\":\"dog\"},\"legs\":{\"type\":\"integer\",\"minimum\":3,\"maximum\":4}},\"required\":[\"kind\",\"legs\"]}},\"required\":[\"pet\"]}",
        "{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"string\",\"minLength\":1,\"maxLength\":5}]}",
        "{\"$defs\":{\"p\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},\"required\":[\"x\"]}},\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/p\"},\"minItems\":1,\"maxItems\":3}",
        "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":6},\"maxItems\":3},\"score\":{\"type\":\"number\"}},\"required\":[\"tags\",\"score\"]}",
        "{\"type\":\"boolean\"}"
    })
    void sampledOutputsParseAndValidate(String schemaText) throws Exception {
        JsonSchema schema = JsonSchema.parse(schemaText);
        com.networknt.schema.JsonSchema validator = VALIDATORS.getSchema(schemaText);
        for (int seed = 1; seed <= 4; seed++) {
            Session session = new Session(model, 512, Session.DEFAULT_BATCH);
            GenerationParams params = GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f).seed(seed)
                    .maxTokens(400).responseFormat(schema).build();
            Generation g = session.generate("Once upon a time", params, t -> { });
            assertThat(g.stopReason()).as("seed %d: %s", seed, g.text()).isEqualTo(StopReason.END_OF_GENERATION);
            JsonNode doc = JSON.readTree(g.text());
            Set<ValidationMessage> errors = validator.validate(doc);
            assertThat(errors).as("seed %d: %s", seed, g.text()).isEmpty();
        }
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"array\",\"uniqueItems\":true}").grammar())
                .isInstanceOf(GrammarException.class).hasMessageContaining("uniqueItems");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"integer\",\"multipleOf\":3}").grammar())
                .isInstanceOf(GrammarException.class).hasMessageContaining("multipleOf");
    }
}
