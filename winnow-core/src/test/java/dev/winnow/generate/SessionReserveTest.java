package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OnStoriesModel;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvSpec;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A session sizes a cache that keeps every entry once, instead of growing (copying) it mid-generation. */
class SessionReserveTest extends OnStoriesModel {

    @Test
    void generateSizesAFullCacheForPromptPlusMaxTokensAndNeverGrowsIt() {
        Session s = new Session(model, 512, 16, KvSpec.parse("full").newPolicy());
        int[] prompt = IntStream.range(0, 200).map(i -> 1 + i * 7 % 400).toArray();
        Generation g = s.generate(prompt, GenerationParams.greedy(150), TokenListener.NONE);
        assertThat(g.tokens().length).isEqualTo(150);
        for (int l = 0; l < model.config().layers(); l++) {
            HeadStore h = s.cache().head(l, 0);
            assertThat(h.size()).isEqualTo(349); // the last generated token is pending, not yet in the cache
            assertThat(h.capacity()).as("layer %d: exactly the 350 reserved, not a doubling", l).isEqualTo(350);
        }
    }

    @Test
    void aLargeMaxThatMayNeverBeReachedReservesNoMoreThanDoublingWould() {
        Session s = new Session(model, 512, 16, KvSpec.parse("full").newPolicy());
        int[] prompt = IntStream.range(0, 20).map(i -> 1 + i * 7 % 400).toArray();
        int[] capacityAtFirstText = {-1};
        s.generate(prompt, GenerationParams.greedy(100_000), text -> {
            if (capacityAtFirstText[0] < 0) capacityAtFirstText[0] = s.cache().head(0, 0).capacity();
        });
        assertThat(capacityAtFirstText[0]).isEqualTo(40);
    }

    @Test
    void reservationStopsAtTheContextLengthAndCodecsAreSizedToo() {
        Session s = new Session(model, 300, 16, KvSpec.parse("int8").newPolicy());
        s.reserve(10_000);
        KvCache c = s.cache();
        assertThat(c.head(0, 0).capacity()).isEqualTo(300);
        s.prefill(IntStream.range(0, 299).map(i -> 1 + i % 300).toArray());
        assertThat(c.head(0, 0).capacity()).isEqualTo(300);
    }

    @Test
    void anEvictingPolicyIsNotSizedForTheWholeText() {
        Session s = new Session(model, 512, 16, KvSpec.parse("streaming:sinks=4,window=60").newPolicy());
        s.reserve(500);
        assertThat(s.cache().head(0, 0).capacity()).isLessThan(500);
    }
}
