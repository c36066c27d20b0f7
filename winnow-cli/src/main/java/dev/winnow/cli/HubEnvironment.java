package dev.winnow.cli;

import java.util.Map;

/** The environment the hub commands read (HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE, HF_ENDPOINT); tests replace it. */
final class HubEnvironment {
    static volatile Map<String, String> current = System.getenv();

    private HubEnvironment() {
    }
}
