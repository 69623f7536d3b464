package dev.sfu.signaling;

/**
 * A configuration the server cannot start with. The message is one line naming the key (and where its
 * value came from) and what was expected; {@code Main} prints it and exits with code 2.
 */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
