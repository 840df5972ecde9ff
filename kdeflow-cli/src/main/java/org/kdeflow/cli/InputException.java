package org.kdeflow.cli;

/**
 * Bad input from the user (a file, a value, a combination of options): the command exits with code 2 and prints
 * the message as one line, without a stack trace. Messages name the file, line, column and value where they apply.
 */
public final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
