package dev.sfu.cluster;

import java.util.Map;

/** What the cluster layer needs to know of this node's own conferences. */
public interface LocalView {
    /** Whether a conference of this name runs here now. */
    boolean hosts(String conference);

    /** Every conference running here, with its number of endpoints. */
    Map<String, Integer> conferences();
}
