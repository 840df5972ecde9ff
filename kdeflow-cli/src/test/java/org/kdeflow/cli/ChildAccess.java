package org.kdeflow.cli;

import java.util.List;

/** {@link Child}'s JVM command for tests in other packages. */
public final class ChildAccess {
    private ChildAccess() {
    }

    /** The command that starts a JVM like this one running {@code main}. */
    public static List<String> java(Class<?> main) {
        return Child.java(main);
    }
}
