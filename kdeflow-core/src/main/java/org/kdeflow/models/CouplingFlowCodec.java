package org.kdeflow.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;

/**
 * The homework's {@link CouplingFlow} as a component of another model (a mixture): its {@code state_dict} tensors
 * under the prefix, architecture inferred from them as {@link FlowModelFile} does. At the top level of a file
 * {@link ModelFile} writes {@link FlowModelFile}'s PyTorch layout instead.
 */
final class CouplingFlowCodec implements ModelCodec {

    @Override
    public String type() {
        return "CouplingFlow";
    }

    @Override
    public boolean canWrite(Density model) {
        return model instanceof CouplingFlow;
    }

    @Override
    public ObjectNode write(Density model, String prefix, Map<String, Tensor> tensors) {
        CouplingFlow flow = (CouplingFlow) model;
        flow.stateDict().forEach((name, t) -> tensors.put(prefix + name, t));
        return ModelFile.JSON.createObjectNode();
    }

    @Override
    public Density read(ObjectNode spec, String prefix, Map<String, Tensor> tensors, String label) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                own.put(name.substring(prefix.length()), t);
            }
        });
        return FlowModelFile.fromSafeTensors(SafeTensors.of(own, Map.of()), label + " (" + prefix + ")").flow();
    }
}
