package dev.sfu.cluster;

/** Where a join goes. */
public sealed interface Route {
    /** This node hosts the conference (or just took it): join here. */
    record Local() implements Route {
    }

    /** Another node owns it: send the client there. */
    record Redirect(String url) implements Route {
    }

    /** Nobody can take the conference now (the store is unreachable, or every node is full or draining). */
    record Unavailable(String message) implements Route {
    }

    Route LOCAL = new Local();
}
