package dev.sfu.ice;

/**
 * RFC 8839 §5.4: a peer's ice-ufrag is 4 to 256 ice-chars and its ice-pwd 22 to 256, where ice-char is
 * ALPHA / DIGIT / "+" / "/". The ufrag goes into the USERNAME of every Binding request we send, so a peer
 * that could choose any bytes there (spaces, colons, control characters, kilobytes) would choose what our
 * packets carry to whatever address it names. The SDP layer can call these before it accepts an offer or
 * answer; {@link IceTransport#start} refuses invalid ones under a strict {@link RemoteCandidatePolicy}.
 */
public final class IceCredentials {
    public static final int MIN_UFRAG = 4;
    public static final int MIN_PASSWORD = 22;
    public static final int MAX_LENGTH = 256;

    private IceCredentials() {
    }

    public static boolean isValidUfrag(String ufrag) {
        return isIceChars(ufrag, MIN_UFRAG);
    }

    public static boolean isValidPassword(String password) {
        return isIceChars(password, MIN_PASSWORD);
    }

    /** What is wrong with a peer's credentials, for an error message; null when both are valid. */
    public static String problem(String ufrag, String password) {
        if (!isValidUfrag(ufrag)) {
            return "ice-ufrag must be " + MIN_UFRAG + " to " + MAX_LENGTH + " characters of A-Z a-z 0-9 + /";
        }
        if (!isValidPassword(password)) {
            return "ice-pwd must be " + MIN_PASSWORD + " to " + MAX_LENGTH + " characters of A-Z a-z 0-9 + /";
        }
        return null;
    }

    private static boolean isIceChars(String s, int min) {
        if (s == null || s.length() < min || s.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
