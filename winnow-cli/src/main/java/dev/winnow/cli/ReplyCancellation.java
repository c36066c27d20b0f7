package dev.winnow.cli;

import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C in {@code winnow chat}, as llama-cli and ollama do it: while a reply is being generated
 * it stops that reply (the generation loop polls {@link #getAsBoolean()} before each token, and the
 * conversation and its cache stay); at the prompt, with no reply running, it does what Ctrl-C
 * always did (the JVM's handler: exit with status 130).
 */
final class ReplyCancellation implements BooleanSupplier {
    private final Runnable whenIdle;
    private volatile boolean running;
    private volatile boolean cancelled;

    /** @param whenIdle what an interrupt does when no reply is running */
    ReplyCancellation(Runnable whenIdle) {
        this.whenIdle = whenIdle;
    }

    /**
     * A cancellation driven by SIGINT: installs a handler that calls {@link #interrupt()} and keeps
     * the previous handler for interrupts at the prompt. Where the platform has no SIGINT to
     * handle, interrupts keep their default effect and the cancellation never fires.
     */
    static ReplyCancellation onSigint() {
        SignalHandler[] previous = new SignalHandler[1];
        ReplyCancellation c = new ReplyCancellation(() -> {
            SignalHandler p = previous[0];
            if (p != null && p != SignalHandler.SIG_DFL && p != SignalHandler.SIG_IGN) p.handle(new Signal("INT"));
            else if (p != SignalHandler.SIG_IGN) Runtime.getRuntime().exit(130);
        });
        try {
            previous[0] = Signal.handle(new Signal("INT"), sig -> c.interrupt());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT here (or the JVM runs with -Xrs): Ctrl-C keeps its default effect
        }
        return c;
    }

    /** A reply starts: interrupts now stop it. */
    void replyStarted() {
        cancelled = false;
        running = true;
    }

    /** The reply ended; returns whether it was stopped by an interrupt. */
    boolean replyEnded() {
        running = false;
        boolean was = cancelled;
        cancelled = false;
        return was;
    }

    /** Ctrl-C: stops the running reply, or, at the prompt, does what Ctrl-C did before. */
    void interrupt() {
        if (running) cancelled = true;
        else whenIdle.run();
    }

    /** Whether the running reply should stop. */
    @Override
    public boolean getAsBoolean() {
        return cancelled;
    }
}
