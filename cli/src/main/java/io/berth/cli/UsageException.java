package io.berth.cli;

/** A command line that cannot be run as given; the message says what is wrong. Exit status 2. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
