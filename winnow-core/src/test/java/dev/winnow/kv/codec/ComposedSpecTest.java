package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.kv.KvCache;
import dev.winnow.kv.merge.MergeIntoNearest;
import dev.winnow.kv.merge.MiniCache;
import dev.winnow.kv.policy.EvictionPolicy;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import org.junit.jupiter.api.Test;

/** Spec composition with '+': what parses to what, and the errors of bad specs. */
class ComposedSpecTest {
    static PolicyContext ctx(int layers, int kvHeads, int headSize) {
        return new PolicyContext(layers, kvHeads, kvHeads, headSize, 512, (k, off, d) -> {
        }, null, null, null, PolicyContext.historyOf());
    }

    static KvCache attach(String spec, int headSize) {
        KvCache cache = new KvCache(2, 1, headSize);
        KvSpec.parse(spec).newPolicy().attach(cache, ctx(2, 1, headSize));
        return cache;
    }

    @Test
    void evictionPolicyAndCodecCompose() {
        KvSpec s = KvSpec.parse("snapkv:budget=1024+kivi:bits=2");
        assertThat(s.components()).hasSize(2);
        assertThat(s.name()).isEqualTo("snapkv");
        assertThat(s.params()).containsEntry("budget", "1024");
        assertThat(s.isFull()).isFalse();
        KvPolicy p = s.newPolicy();
        assertThat(p).isInstanceOf(ComposedPolicy.class);
        assertThat(p.spec()).isEqualTo("snapkv:budget=1024+kivi:bits=2");
        ComposedPolicy c = (ComposedPolicy) p;
        assertThat(c.eviction()).isInstanceOf(EvictionPolicy.class);
        assertThat(c.components()).singleElement().isInstanceOf(CodecComponent.class);
    }

    @Test
    void aCodecAloneKeepsEveryEntry() {
        KvSpec s = KvSpec.parse("int8");
        assertThat(s.name()).isEqualTo("int8");
        KvCache cache = attach("int8", 32);
        assertThat(cache.head(0, 0).keyStore()).isInstanceOf(Int8Store.class);
        assertThat(cache.head(1, 0).valueStore()).isInstanceOf(Int8Store.class);
        // keys channel-smoothed, values plain Q8_0; smooth=false: both plain
        assertThat(((Int8Store) cache.head(0, 0).keyStore()).smooth()).isTrue();
        assertThat(((Int8Store) cache.head(1, 0).valueStore()).smooth()).isFalse();
        assertThat(((Int8Store) attach("int8:smooth=false", 32).head(0, 0).keyStore()).smooth()).isFalse();
        assertThat(((Int8Store) attach("k=int8,v=int8", 32).head(0, 0).keyStore()).smooth()).isTrue();
        assertThat(((Int8Store) attach("k=int8,v=int8", 32).head(0, 0).valueStore()).smooth()).isFalse();
        assertThat(cache.storage().describe()).isEqualTo("int8");
        // a plain eviction policy is not wrapped
        assertThat(KvSpec.parse("h2o:budget=8").newPolicy()).isInstanceOf(EvictionPolicy.class);
        assertThat(KvSpec.parse("full").isFull()).isTrue();
    }

    @Test
    void keysAndValuesTakeSeparateCodecs() {
        for (String spec : new String[] {"k=int8,v=int4", "codec:k=int8,v=int4", "h2o:budget=64+k=int8,v=int4"}) {
            KvCache cache = attach(spec, 32);
            assertThat(cache.head(0, 0).keyStore()).as(spec).isInstanceOf(Int8Store.class);
            assertThat(cache.head(0, 0).valueStore()).as(spec).isInstanceOf(AsymStore.class);
            assertThat(cache.storage().describe()).isEqualTo("k=int8,v=int4");
        }
        assertThat(KvSpec.parse("v=int4").newPolicy().spec()).isEqualTo("codec:v=int4");
        KvCache cache = attach("v=int4", 32);
        assertThat(cache.head(0, 0).keyStore()).isInstanceOf(F32KeyStore.class);
    }

    @Test
    void kiviMixedMikvMergeAndMiniCacheBuild() {
        KvCache kivi = attach("kivi:bits=4,group=16,residual=64", 32);
        assertThat(kivi.head(0, 0).keyStore()).isInstanceOf(ResidualStore.class);
        assertThat(((ResidualStore) kivi.head(0, 0).keyStore()).quantized()).isInstanceOf(ChannelGroupStore.class);
        assertThat(((ResidualStore) kivi.head(0, 0).valueStore()).quantized()).isInstanceOf(AsymStore.class);
        KvCache mikv = attach("h2o:budget=512+mikv:low=2,high=8", 32);
        assertThat(mikv.head(0, 0).keyStore()).isInstanceOf(MixedStore.class);
        assertThat(mikv.head(0, 0).evictionHandler()).isNotNull();
        assertThat(((MixedStore) mikv.head(0, 0).keyStore()).high()).isInstanceOf(Int8Store.class);
        KvCache mixed = attach("mixed", 32);
        assertThat(mixed.attentionRecorder()).isNotNull(); // normalised attention needs the statistics
        KvCache merge = attach("window:budget=16+merge", 32);
        assertThat(merge.head(1, 0).evictionHandler()).isNotNull();
        assertThat(merge.attentionRecorder()).isNotNull();
        assertThat(((ComposedPolicy) KvSpec.parse("h2o:budget=8+merge").newPolicy()).component(MergeIntoNearest.class)).isNotNull();
        KvCache mini = attach("minicache:start=0", 8);
        assertThat(mini.head(0, 0).keyStore()).isInstanceOf(dev.winnow.kv.merge.MiniCacheStore.class);
        assertThat(((ComposedPolicy) KvSpec.parse("minicache").newPolicy()).component(MiniCache.class)).isNotNull();
    }

    @Test
    void resetReattachesFreshStorage() {
        KvPolicy p = KvSpec.parse("int4").newPolicy();
        KvCache cache = new KvCache(1, 1, 8);
        p.attach(cache, ctx(1, 1, 8));
        cache.head(0, 0).append(new float[8], 0, new float[8], 0, 0);
        assertThatThrownBy(() -> cache.useStorage(KvStorage.F32)).isInstanceOf(IllegalStateException.class);
        cache.clear();
        p.attach(cache, ctx(1, 1, 8));
        assertThat(cache.head(0, 0).keyStore()).isInstanceOf(AsymStore.class);
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertThatThrownBy(() -> KvSpec.parse("kivi:bits=3")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("kivi: bits=3 is not supported; valid: 2, 4");
        assertThatThrownBy(() -> KvSpec.parse("mikv:high=8,low=3+h2o:budget=8")).hasMessageContaining("low=3 is not supported; valid: 8, 4, 2");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8+mikv:high=4,low=4")).hasMessageContaining("low=4 must be below high=4");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8+snapkv")).hasMessageContaining("one policy per spec")
                .hasMessageContaining("both eviction policies");
        assertThatThrownBy(() -> KvSpec.parse("int8+kivi")).hasMessageContaining("both decide how keys and values are stored");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8+merge+mikv")).hasMessageContaining("both decide what happens to evicted entries");
        assertThatThrownBy(() -> KvSpec.parse("mikv")).hasMessageContaining("mikv demotes the entries an eviction policy evicts");
        assertThatThrownBy(() -> KvSpec.parse("merge")).hasMessageContaining("add one, e.g. h2o:budget=256+merge");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8+int9")).hasMessageContaining("unknown KV policy 'int9'")
                .hasMessageContaining("int8").hasMessageContaining("kivi");
        assertThatThrownBy(() -> KvSpec.parse("k=int3")).hasMessageContaining("codec: k='int3' is not a codec; valid: f32, f16, bf16, int8, int4, int2");
        assertThatThrownBy(() -> KvSpec.parse("k=kivi")).hasMessageContaining("kivi is its own component");
        assertThatThrownBy(() -> KvSpec.parse("int8:blok=16")).hasMessageContaining("int8: unknown parameter 'blok'; valid: block");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8++int8")).hasMessageContaining("empty component");
        assertThatThrownBy(() -> KvSpec.parse("mixed:score=streaming")).hasMessageContaining("score='streaming' is not a scoring policy");
        assertThatThrownBy(() -> KvSpec.parse("mixed:budget=4,salient=0.5")).hasMessageContaining("not both");
        assertThatThrownBy(() -> KvSpec.parse("minicache:angle=200")).hasMessageContaining("angle=200 must be between");
        assertThatThrownBy(() -> KvSpec.parse("keyformer:budget=32+mixed")).hasMessageContaining("record attention differently");
    }

    @Test
    void blocksThatDoNotDivideTheHeadSizeAreRejectedWhenTheCacheIsMade() {
        assertThatThrownBy(() -> attach("int8:block=24", 32)).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("int8: block=24 does not divide the head size 32");
        assertThatThrownBy(() -> attach("kivi:block=12", 32)).hasMessageContaining("block=12 does not divide the head size 32");
        assertThatThrownBy(() -> attach("int2:block=6", 6)).hasMessageContaining("cannot be packed at 2 bits");
        assertThatThrownBy(() -> attach("minicache:start=1", 8)).hasMessageContaining("minicache: start=1 leaves no pair");
        // heads smaller than a block use one block per head vector
        assertThat(((Int8Store) attach("int8", 8).head(0, 0).keyStore()).block()).isEqualTo(8);
        assertThat(((AsymStore) attach("int4", 8).head(0, 0).valueStore()).block()).isEqualTo(8);
    }

    @Test
    void everyComponentIsListedWithItsParameters() {
        assertThat(KvCodecs.all()).extracting(PolicyInfo::name)
                .contains("f32", "f16", "bf16", "int8", "int4", "int2", "codec", "kivi", "mixed", "mikv", "merge", "minicache");
        for (PolicyInfo info : KvCodecs.all()) {
            assertThat(KvPolicies.all()).extracting(PolicyInfo::name).doesNotContain(info.name());
            assertThat(info.summary()).isNotBlank();
        }
    }
}
