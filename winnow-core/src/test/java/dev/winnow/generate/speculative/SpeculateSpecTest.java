package dev.winnow.generate.speculative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpeculateSpecTest {
    @Test
    void parsesDrafterSpecsWithDefaults() {
        assertThat(SpeculateSpec.parse("lookup").toString()).isEqualTo("lookup:n=3,k=8");
        assertThat(SpeculateSpec.parse(" lookup:n=2,k=5 ").toString()).isEqualTo("lookup:n=2,k=5");
        assertThat(SpeculateSpec.parse("recycling").toString()).isEqualTo("recycling:k=8,tree=default");
        assertThat(SpeculateSpec.parse("recycling:k=4,tree=4/2/1").newDrafter()).isInstanceOf(RecyclingDrafter.class);
        assertThat(SpeculateSpec.parse("self").toString()).isEqualTo("self:kv=streaming:window=256,k=4");
        assertThat(SpeculateSpec.parse("self:kv=streaming:sinks=2;window=64,k=3").toString())
                .isEqualTo("self:kv=streaming:sinks=2;window=64,k=3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lookup:k=0|lookup: k=0 must be >= 1",
            "lookup:n=0|lookup: n=0 must be >= 1",
            "lookup:k=abc|lookup: k='abc' is not a whole number",
            "lookup:x=1|lookup: unknown parameter 'x'; valid: n, k",
            "medusa|unknown drafter 'medusa'; valid: lookup, recycling, self",
            "lookup:k|'lookup:k': parameter 'k' should be key=value",
            "lookup:k=3,k=4|'lookup:k=3,k=4': parameter 'k' given twice",
            "recycling:k=0|recycling: k=0 must be >= 1",
            "recycling:tree=9/1|recycling: tree width 9 at depth 1 must be between 1 and k=8",
            "recycling:tree=a/b|recycling: tree='a/b' should be 'default' or widths per depth like 4/2/1",
            "recycling:tree=8/8/8/8|recycling: tree='8/8/8/8' has more than 128 nodes",
            "self:k=0|self: k=0 must be >= 1",
            "self:kv=h2o:budget=8|self: kv=h2o:budget=8 may evict the newest entries; the draft cache needs streaming:… or a spec that keeps every entry",
            "self:kv=bogus|self: kv=bogus: unknown KV policy 'bogus'; valid: "})
    void badSpecsAreOneLineErrorsNamingTheValue(String spec, String message) {
        assertThatThrownBy(() -> SpeculateSpec.parse(spec)).isInstanceOf(SpeculateSpecException.class)
                .hasMessageStartingWith(message).hasMessageNotContaining("\n");
    }

    @Test
    void emptySpecListsTheDrafters() {
        assertThatThrownBy(() -> SpeculateSpec.parse(" ")).hasMessage("empty --speculate spec; valid drafters: lookup, recycling, self");
    }

    @Test
    void lookupProposesWhatFollowedTheLatestMatchOfTheLongestSuffix() {
        LookupDrafter d = new LookupDrafter(3, 4);
        int[] ctx = {1, 2, 3, 4, 5, 6, 9, 2, 3, 7, 8, 1, 2, 3};
        Draft draft = d.draft(ctx, ctx.length, 16);
        // suffix 1 2 3 occurs at 0 (followed by 4 5 6 9); the later "2 3" (7) matches only 2 tokens
        assertThat(draft.tokens()).containsExactly(3, 4, 5, 6, 9);
        assertThat(draft.parents()).isNull();
        assertThat(d.draft(ctx, ctx.length, 3).tokens()).containsExactly(3, 4, 5);
        assertThat(d.draft(new int[] {5, 6, 7}, 3, 8).rows()).isEqualTo(1); // no match: the root alone
    }

    @Test
    void treeShapesExpandTheBestCandidatesDeepest() {
        assertThat(DraftTreeShape.parse("default", 8).nodes()).as("default: the root and its best candidate").isEqualTo(2);
        DraftTreeShape t = DraftTreeShape.parse("4/3/2/2/1/1/1/1", 8);
        assertThat(t.nodes()).isEqualTo(24);
        assertThat(t.nodes()).isGreaterThan(10).isLessThan(DraftTreeShape.MAX_NODES);
        assertThat(t.parent(0)).isEqualTo(-1);
        for (int i = 1; i < t.nodes(); i++) assertThat(t.parent(i)).isLessThan(i);
        DraftTreeShape chain = DraftTreeShape.parse("1/1/1", 8);
        assertThat(chain.nodes()).isEqualTo(4);
        DraftTreeShape two = DraftTreeShape.parse("2/2", 8); // root: ranks 0,1; rank 0 gets 2 children, rank 1 gets 1
        assertThat(two.nodes()).isEqualTo(1 + 2 + 3);
    }

    @Test
    void recyclingFillsTheTreeFromEachTokensLatestTopCandidates() {
        RecyclingDrafter d = new RecyclingDrafter(2, DraftTreeShape.parse("2/1", 2));
        int vocab = 5;
        // verified rows: token 0 → logits favouring 3 then 1; token 3 → favouring 4 then 2
        Draft seen = Draft.chain(0, new int[] {3}, 1);
        float[] logits = {0, 5, 0, 9, 1, /* after 3: */ 0, 0, 6, 0, 8};
        d.verified(seen, logits, vocab);
        assertThat(d.candidates(0)).containsExactly(3, 1);
        assertThat(d.candidates(3)).containsExactly(4, 2);
        Draft draft = d.draft(new int[] {0}, 1, 16);
        // root 0 → children 3 (rank 0), 1 (rank 1); 3 → its best 4; 1 has no candidates
        assertThat(draft.tokens()).containsExactly(0, 3, 1, 4);
        assertThat(draft.parents()).containsExactly(-1, 0, 0, 1);
    }
}
