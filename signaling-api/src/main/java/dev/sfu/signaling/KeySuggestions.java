package dev.sfu.signaling;

import java.util.Collection;

/** The known key closest to a misspelled one, for "did you mean" in configuration errors. */
final class KeySuggestions {
    private KeySuggestions() {
    }

    /** The closest of {@code known} to {@code key}: same last segment first, then edit distance. */
    static String closest(String key, Collection<String> known) {
        String lastSegment = key.substring(key.lastIndexOf('.') + 1);
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String k : known) {
            String kLast = k.substring(k.lastIndexOf('.') + 1);
            // A key put at the wrong level matches its last segment exactly: suggest the right place.
            int score = kLast.equals(lastSegment) ? 0 : 1 + distance(key, k);
            if (score < bestScore) {
                bestScore = score;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
