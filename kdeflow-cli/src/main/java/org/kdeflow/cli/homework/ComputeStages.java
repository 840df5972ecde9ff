package org.kdeflow.cli.homework;

import java.util.List;

/** The computing stages, in the order they run. */
final class ComputeStages {
    private ComputeStages() {
    }

    static List<Stage> all() {
        return List.of(new PartOneStage(), new PartTwoStage(), new BeyondStage());
    }
}
