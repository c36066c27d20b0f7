package dev.winnow.langchain4j.spi;

import dev.winnow.langchain4j.WinnowChatModel;
import java.util.function.Supplier;

/**
 * A factory of {@link WinnowChatModel.Builder}s, found with {@link java.util.ServiceLoader} (as
 * LangChain4j's other providers do): a framework integration can pre-configure the builders that
 * {@link WinnowChatModel#builder()} hands out.
 */
public interface WinnowChatModelBuilderFactory extends Supplier<WinnowChatModel.Builder> {
}
