package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Needle and RULER generators: deterministic for a seed, facts where they should be, scoring. */
class GeneratorsTest {
    private static final TokenCounter WORDS = TokenCounter.words();

    private static NeedleTask.Options needle(List<Integer> lengths, List<Double> depths) {
        NeedleTask.Options d = NeedleTask.Options.defaults();
        return new NeedleTask.Options(lengths, depths, 2, d.filler(), d.needle(), d.question(), d.answerPrefix(), "number", 5);
    }

    @Test
    void needleItemsAreDeterministicForASeed() {
        NeedleTask.Options o = needle(List.of(200, 400), List.of(0.0, 0.5, 1.0));
        List<GenerationItem> a = NeedleTask.generate(o, 7, WORDS), b = NeedleTask.generate(o, 7, WORDS);
        assertThat(a).hasSize(2 * 3 * 2).isEqualTo(b);
        List<GenerationItem> c = NeedleTask.generate(o, 8, WORDS);
        assertThat(c).isNotEqualTo(a);
        assertThat(c.stream().map(i -> i.answers().getFirst()).toList()).isNotEqualTo(a.stream().map(i -> i.answers().getFirst()).toList());
    }

    @Test
    void theNeedleSitsAtItsDepthAndThePromptHasItsLength() {
        NeedleTask.Options o = needle(List.of(300), List.of(0.0, 0.25, 0.5, 0.75, 1.0));
        for (GenerationItem it : NeedleTask.generate(o, 1, WORDS)) {
            String value = it.answers().getFirst();
            assertThat(value).matches("[1-9][0-9]{4}");
            String fact = "The pass key is " + value + ". Remember it. " + value + " is the pass key.";
            assertThat(it.user()).contains(fact).endsWith("\n\nWhat is the pass key?");
            assertThat(it.answerPrefix()).isEqualTo("The pass key is");
            // total words within a sentence of the target
            int words = WORDS.prompt(it.user(), it.answerPrefix());
            assertThat(words).isBetween(300 - 20, 300 + 20);
            // relative position of the fact in the haystack (words before it / haystack words)
            String hay = it.user().substring(0, it.user().lastIndexOf("\n\n"));
            double pos = (double) WORDS.text(hay.substring(0, hay.indexOf(fact))) / (WORDS.text(hay) - WORDS.text(fact));
            double depth = (double) it.labels().get("depth");
            assertThat(pos).as("depth %s", depth).isBetween(depth - 0.06, depth + 0.06);
        }
    }

    @Test
    void needleOptionsAreChecked() {
        NeedleTask.Options d = NeedleTask.Options.defaults();
        assertThatThrownBy(() -> new NeedleTask.Options(List.of(100), List.of(0.5), 1, d.filler(), "no placeholder", "q?", "a", "number", 5))
                .isInstanceOf(EvalException.class).hasMessageContaining("{value}");
        assertThatThrownBy(() -> needle(List.of(100), List.of(1.5))).hasMessageContaining("depth 1.5 not in [0, 1]");
    }

    @Test
    void wordValuesAndCustomTemplates() {
        NeedleTask.Options o = new NeedleTask.Options(List.of(120), List.of(0.5), 3, TextSource.noise(),
                "Her favourite toy was the {value}.", "What was her favourite toy?", "Her favourite toy was the", "word", 5);
        for (GenerationItem it : NeedleTask.generate(o, 3, WORDS)) {
            assertThat(it.user()).contains("Her favourite toy was the " + it.answers().getFirst() + ".")
                    .contains("The grass is green.");
        }
    }

    @Test
    void multikeyPlantsEveryKeyAndAsksForOne() {
        RulerTask.Options o = new RulerTask.Options("multikey", List.of(200, 400), 3, 4, 1, 4, TextSource.noise());
        List<GenerationItem> items = RulerTask.generate(o, 11, WORDS);
        assertThat(items).hasSize(6).isEqualTo(RulerTask.generate(o, 11, WORDS)).isNotEqualTo(RulerTask.generate(o, 12, WORDS));
        for (GenerationItem it : items) {
            Matcher m = Pattern.compile("One of the special magic numbers for ([a-z]+-[a-z]+) is: ([0-9]{7})\\.").matcher(it.user());
            List<String> keys = new ArrayList<>(), values = new ArrayList<>();
            while (m.find()) {
                keys.add(m.group(1));
                values.add(m.group(2));
            }
            assertThat(keys).hasSize(4).doesNotHaveDuplicates();
            String key = (String) it.labels().get("key");
            assertThat(it.answers()).containsExactly(values.get(keys.indexOf(key)));
            assertThat(it.user()).endsWith("What is the special magic number for " + key + " mentioned in the provided text?");
        }
    }

    @Test
    void variableTrackingChainsAreInOrder() {
        RulerTask.Options o = new RulerTask.Options("vartrack", List.of(300), 4, 4, 2, 3, TextSource.noise());
        List<GenerationItem> items = RulerTask.generate(o, 5, WORDS);
        assertThat(items).isEqualTo(RulerTask.generate(o, 5, WORDS));
        for (GenerationItem it : items) {
            List<String> chain = it.answers();
            assertThat(chain).hasSize(4);
            Matcher v = Pattern.compile("assigned the value ([0-9]{5}) in the text above").matcher(it.user());
            assertThat(v.find()).isTrue();
            String value = v.group(1);
            int at = it.user().indexOf("VAR " + chain.getFirst() + " = " + value + ".");
            assertThat(at).isGreaterThanOrEqualTo(0);
            for (int i = 1; i < chain.size(); i++) {
                int next = it.user().indexOf("VAR " + chain.get(i) + " = VAR " + chain.get(i - 1) + ".");
                assertThat(next).as("hop %d after hop %d", i, i - 1).isGreaterThan(at);
                at = next;
            }
            // the distractor chain is there too: 2 chains × 4 statements
            assertThat(it.user().split("VAR [A-Z]{5} =", -1).length - 1).isEqualTo(8);
        }
    }

    @Test
    void rulerScoringIsStringMatchAll() {
        RulerTask t = new RulerTask(RulerTask.Options.defaults("vartrack"), PromptFormat.PLAIN, 32);
        GenerationItem it = new GenerationItem("x", java.util.Map.of(), "u", "p", List.of("ABCDE", "FGHIJ", "KLMNO", "PQRST"));
        assertThat(t.score("ABCDE FGHIJ KLMNO PQRST", it)).isEqualTo(1.0);
        assertThat(t.score("abcde, klmno", it)).isEqualTo(0.5);
        NeedleTask n = new NeedleTask(NeedleTask.Options.defaults(), PromptFormat.PLAIN, 8);
        GenerationItem ni = new GenerationItem("y", java.util.Map.of(), "u", "p", List.of("54321"));
        assertThat(n.score("54321. Remember it.", ni)).isEqualTo(1.0);
        assertThat(n.score("5432", ni)).isEqualTo(0.0);
    }

    @Test
    void haystackInsertsAtTheNearestBoundary() {
        List<String> s = List.of("a b.", "c d.", "e f.", "g h.");
        String h = Haystack.build(s, 0, 8, List.of(new Haystack.Insertion(0.5, "X."), new Haystack.Insertion(1, "Y."),
                new Haystack.Insertion(0, "W.")), WORDS::text);
        assertThat(h).isEqualTo("W. a b. c d. X. e f. g h. Y.");
        // cycling from another start
        assertThat(Haystack.build(s, 3, 4, List.of(), WORDS::text)).isEqualTo("g h. a b.");
    }

    @Test
    void sentencesOfTheSample() {
        List<String> s = TextSource.sample().sentences();
        assertThat(s.size()).isGreaterThan(100);
        assertThat(s.getFirst()).isEqualTo("Once upon a time, there was a little girl named Lily.");
        assertThat(s).allMatch(x -> !x.isBlank() && !x.contains("\n"));
        assertThat(TextSource.noise().sentences()).containsExactly("The grass is green.", "The sky is blue.",
                "The sun is yellow.", "Here we go.", "There and back again.");
    }
}
