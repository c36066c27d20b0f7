package dev.winnow.grammar;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every JSON Schema (2020-12) keyword that changes which documents are valid but that the
 * compiler cannot express is refused with a {@link GrammarException} naming the keyword and where
 * it is (a JSON pointer), never silently ignored: at the root and nested inside properties.
 */
class UnsupportedSchemaTest {
    @ParameterizedTest
    @ValueSource(strings = {"uniqueItems\":true", "multipleOf\":3", "minProperties\":1", "maxProperties\":2",
            "propertyNames\":{\"maxLength\":3}", "patternProperties\":{\"^a\":{}}", "dependentRequired\":{\"a\":[\"b\"]}",
            "dependentSchemas\":{\"a\":{}}", "dependencies\":{\"a\":[\"b\"]}", "if\":{}", "then\":{}", "else\":{}",
            "not\":{\"type\":\"null\"}", "contains\":{\"type\":\"integer\"}", "minContains\":1", "maxContains\":2",
            "unevaluatedProperties\":false", "unevaluatedItems\":false", "additionalItems\":false", "$anchor\":\"a\"",
            "$dynamicRef\":\"#a\"", "$dynamicAnchor\":\"a\"", "$recursiveRef\":\"#\"", "contentEncoding\":\"base64\"",
            "contentMediaType\":\"text/html\"", "contentSchema\":{}", "$vocabulary\":{}"})
    void keywordIsRefusedByName(String keywordAndValue) {
        String keyword = keywordAndValue.substring(0, keywordAndValue.indexOf('"'));
        String atRoot = "{\"" + keywordAndValue + "}";
        assertThatThrownBy(() -> JsonSchema.parse(atRoot)).isInstanceOf(GrammarException.class)
                .hasMessageContaining("unsupported JSON Schema feature '" + keyword + "'").hasMessageContaining("at #");
        String nested = "{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"array\",\"items\":{\"" + keywordAndValue + "}}}}";
        assertThatThrownBy(() -> JsonSchema.parse(nested)).isInstanceOf(GrammarException.class)
                .hasMessageContaining("'" + keyword + "'").hasMessageContaining("#/properties/p/items");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"number\",\"minimum\":0.5}|'minimum' on type number",
        "{\"type\":\"string\",\"format\":\"email\"}|'format: email'",
        "{\"type\":\"string\",\"pattern\":\"^(?=a)b$\"}|lookaround",
        "{\"type\":\"string\",\"pattern\":\"^(a)\\\\1$\"}|backreference",
        "{\"type\":\"string\",\"pattern\":\"\\\\bword\"}|word boundary",
        "{\"type\":\"string\",\"pattern\":\"^a$\",\"maxLength\":3}|'pattern' with minLength/maxLength",
        "{\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":{\"type\":\"integer\"}}|'additionalProperties' together with 'properties'",
        "{\"$ref\":\"https://example.com/s.json\"}|remote $ref",
        "{\"type\":\"array\",\"prefixItems\":[{}],\"minItems\":1}|'minItems/maxItems' with 'prefixItems'",
        "{\"allOf\":[{\"type\":\"string\"}]}|'allOf' of non-object schemas",
        "{\"anyOf\":[{\"type\":\"null\"}],\"maxLength\":2}|'maxLength' next to 'anyOf'",
    })
    void unsupportedCombinationsAreNamed(String schema, String expected) {
        assertThatThrownBy(() -> JsonSchema.parse(schema)).isInstanceOf(GrammarException.class)
                .hasMessageContaining(expected).hasMessageContaining(" at #");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"strin\"}|#/type: unknown type 'strin'",
        "{\"type\":\"array\",\"minItems\":3,\"maxItems\":1}|maxItems 1 < minItems 3",
        "{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}|no integer lies between the bounds",
        "{\"enum\":[]}|#/enum: enum must not be empty",
        "{\"$ref\":\"#/$defs/missing\"}|does not resolve",
        "{\"type\":\"object\",\"required\":[\"x\"]}|required property 'x' has no schema",
        "{\"type\":\"string\",\"maxLength\":-1}|#/maxLength: expected an integer in [0, 100000], got -1",
        "{\"type\":\"object\"|JSON schema is not valid JSON",
    })
    void badSchemasGetAClearError(String schema, String expected) {
        assertThatThrownBy(() -> JsonSchema.parse(schema)).isInstanceOf(GrammarException.class).hasMessageContaining(expected);
    }
}
