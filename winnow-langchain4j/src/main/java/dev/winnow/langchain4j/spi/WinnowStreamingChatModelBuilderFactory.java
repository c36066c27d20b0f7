package dev.winnow.langchain4j.spi;

import dev.winnow.langchain4j.WinnowStreamingChatModel;
import java.util.function.Supplier;

/** A factory of {@link WinnowStreamingChatModel.Builder}s, found with {@link java.util.ServiceLoader}. */
public interface WinnowStreamingChatModelBuilderFactory extends Supplier<WinnowStreamingChatModel.Builder> {
}
