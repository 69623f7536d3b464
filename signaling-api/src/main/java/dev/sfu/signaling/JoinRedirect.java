package dev.sfu.signaling;

/**
 * A join that belongs on another node: the session answers {@code redirect} with the join's id and closes
 * the WebSocket (1000). Not a failure, so it carries no stack trace.
 */
final class JoinRedirect extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String url;

    JoinRedirect(String url) {
        super("redirect", null, false, false);
        this.url = url;
    }

    String url() {
        return url;
    }
}
