package dev.sfu.signaling.browser;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A test's external tool (a browser, a TURN server): where it is missing, the test is skipped with the
 * command that installs it, except in CI ({@code CI} set), where .ci/run installs every tool and a
 * missing one is a failure, never a silent skip.
 */
public final class RequiredTool {
    private RequiredTool() {
    }

    public static void require(boolean available, String install) {
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(available, "missing in CI, where .ci/run must install it: " + install);
        }
        Assumptions.assumeTrue(available, install);
    }
}
