package org.kdeflow.cli.common;

/**
 * Bad input from the user (a file, a value, a combination of options, an output that cannot be written): the command
 * exits with {@link ExitCodes#USAGE} and prints the message as one line, without a stack trace, plus the hint (if
 * any) as a second line. Messages name the option, file, line, column and value where they apply.
 */
public final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String hint;

    public InputException(String message) {
        this(message, null, null);
    }

    public InputException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /**
     * @param hint one line on what to do about it ("Raise the heap with …"), or null
     */
    public InputException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What to do about it, or null. */
    public String hint() {
        return hint;
    }
}
