package dev.winnow.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecGridTest {
    @Test
    void budgetsExpandEachPolicyItsWay() {
        List<Cell> cells = SpecGrid.expand(List.of("full", "window", "snapkv", "streaming", "h2o:recent=8", "duo:sinks=2"),
                List.of(32, 128), List.of());
        assertThat(cells.stream().map(Cell::spec)).containsExactly("full",
                "window:budget=32", "window:budget=128",
                "snapkv:budget=32,window=8", "snapkv:budget=128,window=32",
                "streaming:window=28", "streaming:window=124",
                "h2o:recent=8,budget=32", "h2o:recent=8,budget=128",
                "duo:sinks=2,window=30", "duo:sinks=2,window=126");
        assertThat(cells.get(0).budget()).isNull();
        assertThat(cells.get(3)).isEqualTo(new Cell("snapkv", "snapkv:budget=32,window=8", 32, null));
        assertThat(cells.get(3).policy()).isEqualTo("snapkv");
        // a given window is kept
        assertThat(SpecGrid.expand(List.of("snapkv:window=4"), List.of(64), List.of()).getFirst().spec())
                .isEqualTo("snapkv:window=4,budget=64");
    }

    @Test
    void ratiosAndFixedSpecs() {
        List<Cell> cells = SpecGrid.expand(List.of("h2o", "window:budget=7", "full", "full"), List.of(), List.of(0.5, 0.875));
        assertThat(cells.stream().map(Cell::spec)).containsExactly("h2o:ratio=0.5", "h2o:ratio=0.875", "window:budget=7", "full");
        assertThat(cells.getFirst().ratio()).isEqualTo(0.5);
        assertThat(cells.get(2).budget()).isEqualTo(7);
        // a streaming spec with its window is fixed too
        assertThat(SpecGrid.expand(List.of("streaming:window=20", "streaming"), List.of(32), List.of()).stream().map(Cell::spec))
                .containsExactly("streaming:window=20", "streaming:window=28");
        // without budgets or ratios the specs run as given
        assertThat(SpecGrid.expand(List.of("h2o"), List.of(), List.of()).getFirst().spec()).isEqualTo("h2o");
    }

    @Test
    void thePolicyOfASpecIsItsEvictionComponent() {
        assertThat(SpecGrid.policy("snapkv:budget=64,window=16")).isEqualTo("snapkv");
        assertThat(SpecGrid.policy("full")).isEqualTo("full");
        // composed specs (codecs joined with '+'): the eviction policy wherever it stands
        assertThat(SpecGrid.policy("h2o:budget=64+int8")).isEqualTo("h2o");
        assertThat(SpecGrid.policy("k=int8,v=int4+window:budget=8")).isEqualTo("window");
        assertThat(SpecGrid.policy("kivi:bits=2")).isEqualTo("kivi");
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> SpecGrid.expand(List.of("streaming"), List.of(), List.of(0.5))).isInstanceOf(EvalException.class)
                .hasMessageContaining("streaming takes no ratio=").hasMessageContaining("--budgets");
        assertThatThrownBy(() -> SpecGrid.expand(List.of("streaming"), List.of(4), List.of())).hasMessageContaining("leaves no window");
        assertThatThrownBy(() -> SpecGrid.expand(List.of("snapkvv"), List.of(32), List.of())).hasMessageContaining("unknown KV policy 'snapkvv'");
        assertThatThrownBy(() -> SpecGrid.expand(List.of("h2o"), List.of(0), List.of())).hasMessageContaining("budget 0 must be >= 1");
        assertThatThrownBy(() -> SpecGrid.expand(List.of("h2o"), List.of(), List.of(1.0))).hasMessageContaining("ratio 1.0");
        assertThatThrownBy(() -> SpecGrid.expand(List.of(), List.of(8), List.of())).hasMessageContaining("no KV specs");
    }

    @Test
    void sparseMethodsTakeTheBudgetUnlessAnEvictionPolicyDoes() {
        List<Cell> cells = SpecGrid.expand(List.of("quest", "tidal+int8", "streaming+tidal:budget=64"), List.of(32, 128), List.of());
        assertThat(cells).extracting(Cell::spec).containsExactly("quest:budget=32", "quest:budget=128",
                "tidal:budget=32+int8", "tidal:budget=128+int8", "streaming:window=28+tidal:budget=64",
                "streaming:window=124+tidal:budget=64");
    }
}
