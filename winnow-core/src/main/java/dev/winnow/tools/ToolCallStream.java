package dev.winnow.tools;

import java.util.List;

/**
 * The streamed text of a reply that may call tools: text is passed on as content until a call
 * may be starting (one of the format's opening strings, or a prefix of one at the end of what was
 * generated so far, is held back); from a call on, everything is held until the end, when
 * {@link #finish} parses the whole reply. Under a forced tool choice everything is held.
 */
public final class ToolCallStream {
    private final ToolCallParser parser;
    private final List<String> triggers;
    private final StringBuilder all = new StringBuilder();
    private int sent;
    private boolean holding;

    /** @param forced the tool choice forces a call: nothing is content */
    public ToolCallStream(ToolCallParser parser, boolean forced) {
        this.parser = parser;
        this.triggers = parser.format().triggers();
        this.holding = forced;
    }

    /** Takes the next piece of generated text; returns the content that can be sent now (maybe ""). */
    public String accept(String text) {
        all.append(text);
        if (holding) return "";
        int at = -1;
        for (String t : triggers) {
            int i = all.indexOf(t, Math.max(0, sent - t.length()));
            if (i >= 0 && (at < 0 || i < at)) at = i;
        }
        int upTo;
        if (at >= 0) {
            holding = true;
            upTo = Math.max(sent, at);
        } else {
            upTo = all.length() - heldSuffix();
        }
        if (upTo <= sent) return "";
        String out = all.substring(sent, upTo);
        sent = upTo;
        return out;
    }

    /** The length of the longest end of the text that could begin an opening string. */
    private int heldSuffix() {
        int best = 0;
        for (String t : triggers) {
            for (int k = Math.min(t.length() - 1, all.length() - sent); k > best; k--) {
                if (all.length() >= k && t.startsWith(all.substring(all.length() - k))) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    /**
     * The parsed reply and the content not sent yet: with calls, nothing more (text around the
     * calls that was held back is dropped); without calls, the held text.
     */
    public Result finish() {
        ToolCallParser.Reply reply = parser.parse(all.toString());
        String rest = reply.hasCalls() ? "" : all.substring(sent);
        sent = all.length();
        return new Result(reply, rest);
    }

    /** The parsed reply and the content not sent yet. */
    public record Result(ToolCallParser.Reply reply, String unsentContent) {
    }
}
