package dev.winnow.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** LongBench's answer metrics against values computed by hand (and by LongBench's Python where noted). */
class TextMetricsTest {
    @Test
    void normalizationLowercasesAndDropsPunctuationAndArticles() {
        assertThat(TextMetrics.normalizeAnswer("The  Cat, sat on A mat!")).isEqualTo("cat sat on mat");
        assertThat(TextMetrics.normalizeAnswer("  An apple-pie.  ")).isEqualTo("applepie");
        // articles only as whole words
        assertThat(TextMetrics.normalizeAnswer("Theater and anthem")).isEqualTo("theater and anthem");
    }

    @Test
    void exactMatch() {
        assertThat(TextMetrics.exactMatch("The Eiffel Tower.", "eiffel tower")).isEqualTo(1.0);
        assertThat(TextMetrics.exactMatch("Eiffel Tower in Paris", "Eiffel Tower")).isEqualTo(0.0);
    }

    @Test
    void f1ByHand() {
        // prediction {cat, sat, on, mat}, answer {cat, lay, on, mat}: 3 shared → P = R = 3/4 → F1 = 0.75
        assertThat(TextMetrics.f1("the cat sat on the mat", "a cat lay on the mat")).isCloseTo(0.75, within(1e-12));
        // P = 1/3 (1 of "paris france europe"), R = 1 ("paris") → F1 = 2·(1/3)/(4/3) = 0.5
        assertThat(TextMetrics.f1("Paris, France, Europe", "Paris")).isCloseTo(0.5, within(1e-12));
        assertThat(TextMetrics.f1("London", "Paris")).isEqualTo(0.0);
        // multiset counting: "a a b" vs "a b b" → common {a, b} = 2 of 3 each → 2/3
        assertThat(TextMetrics.f1(List.of("x", "x", "y"), List.of("x", "y", "y"))).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(TextMetrics.f1("", "Paris")).isEqualTo(0.0);
    }

    @Test
    void rougeLByHand() {
        // LCS of "the cat sat on the mat" and "the cat lay on the mat" = "the cat on the mat"; the rouge
        // package counts distinct words: LCS {the, cat, on, mat} = 4, 5 distinct words each → P = R = 0.8
        assertThat(TextMetrics.rougeL("the cat sat on the mat", "the cat lay on the mat")).isCloseTo(0.8, within(1e-7));
        // P = 2/2, R = 2/4 → F = 2·0.5/1.5 = 2/3
        assertThat(TextMetrics.rougeL("police killed", "police killed the gunman")).isCloseTo(2.0 / 3, within(1e-7));
        // word order matters: LCS of "b a" and "a b" is one word → P = R = 1/2
        assertThat(TextMetrics.rougeL("b a", "a b")).isCloseTo(0.5, within(1e-7));
        // case-sensitive and not normalised, as LongBench calls it
        assertThat(TextMetrics.rougeL("Paris", "paris")).isEqualTo(0.0);
        // sentences are split at '.', so a final period does not matter
        assertThat(TextMetrics.rougeL("in the garden.", "in the garden")).isCloseTo(1.0, within(1e-7));
        // empty texts score 0 (LongBench catches the package's error)
        assertThat(TextMetrics.rougeL("", "answer")).isEqualTo(0.0);
        assertThat(TextMetrics.rougeL("...", "answer")).isEqualTo(0.0);
    }

    @Test
    void rulerSubstringMatches() {
        assertThat(TextMetrics.contains("The number is 4721.", "4721")).isEqualTo(1.0);
        assertThat(TextMetrics.contains("THE NUMBER", "number")).isEqualTo(1.0);
        assertThat(TextMetrics.containsAll("they are: ABCDE, FGHIJ", List.of("ABCDE", "FGHIJ", "KLMNO", "PQRST"))).isEqualTo(0.5);
    }

    @Test
    void bestOverReferenceAnswers() {
        assertThat(TextMetrics.best(TextMetrics.Metric.F1, "blue whale", List.of("whale shark", "blue whale"))).isEqualTo(1.0);
        assertThat(TextMetrics.best(TextMetrics.Metric.EM, "Blue whale.", List.of("the blue whale"))).isEqualTo(1.0);
        assertThatThrownBy(() -> TextMetrics.best(TextMetrics.Metric.F1, "x", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metricNames() {
        assertThat(TextMetrics.Metric.parse("rouge_l")).isEqualTo(TextMetrics.Metric.ROUGE_L);
        assertThat(TextMetrics.Metric.parse("F1")).isEqualTo(TextMetrics.Metric.F1);
        assertThatThrownBy(() -> TextMetrics.Metric.parse("bleu")).hasMessageContaining("unknown metric 'bleu'")
                .hasMessageContaining("f1");
    }
}
