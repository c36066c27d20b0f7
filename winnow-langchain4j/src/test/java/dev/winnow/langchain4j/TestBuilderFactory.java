package dev.winnow.langchain4j;

import dev.winnow.langchain4j.spi.WinnowStreamingChatModelBuilderFactory;

/** Registered in META-INF/services: proves {@link WinnowStreamingChatModel#builder()} asks the ServiceLoader. */
public final class TestBuilderFactory implements WinnowStreamingChatModelBuilderFactory {
    static final long SEED = 4242;

    @Override
    public WinnowStreamingChatModel.Builder get() {
        return new WinnowStreamingChatModel.Builder().seed(SEED).maxOutputTokens(7);
    }
}
