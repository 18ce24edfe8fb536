package org.resnetspark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ModelSummary;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code describe}: layer summary, parameter counts, MACs and vertex shapes of one network; no Spark. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Print a network's layers, trainable/total parameters, multiply-accumulates per image and"
                + " the output shape at each named vertex.")
public final class DescribeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--json", description = "Print one JSON object instead of the text summary.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ResNetSpec resnet = model.spec(model.family(DatasetFamily.IMAGENET));
        ResNetBuilder builder = ResNetBuilder.of(resnet);
        ComputationGraph graph = builder.build();
        ModelSummary summary = ModelSummary.of(graph, builder.inputType());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(resnet, summary));
        } else {
            out.println(graph.summary());
            out.println(resnet);
            out.printf("trainable parameters: %,d%n", summary.trainableParams());
            out.printf("total parameters:     %,d (batch-norm running statistics included)%n",
                    summary.totalParams());
            out.printf("MACs per image:       %,d (%.2f G)%n", summary.macsPerImage(),
                    summary.macsPerImage() / 1e9);
            out.println("shapes at named vertices (without batch):");
            for (Map.Entry<String, long[]> e : summary.vertexShapes().entrySet()) {
                if (isNamedVertex(e.getKey())) {
                    out.printf("  %-16s %s%n", e.getKey(), Arrays.toString(e.getValue()));
                }
            }
        }
        out.flush();
        return 0;
    }

    static boolean isNamedVertex(String name) {
        return name.equals(ResNetBuilder.INPUT) || name.equals(ResNetBuilder.INITIAL_CONV)
                || name.equals(ResNetBuilder.INITIAL_POOL) || name.matches("block_layer\\d+")
                || name.equals(ResNetBuilder.FINAL_POOL) || name.equals(ResNetBuilder.FINAL_DENSE);
    }

    static String toJson(ResNetSpec resnet, ModelSummary summary) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.put("dataset", resnet.family().flagValue());
        o.put("resnet_size", resnet.size());
        o.put("resnet_version", resnet.version().flagValue());
        o.put("num_classes", resnet.numClasses());
        o.put("image_size", resnet.imageSize());
        o.put("data_format", resnet.format().name());
        o.put("dtype", resnet.dataType().name());
        o.put("trainable_params", summary.trainableParams());
        o.put("total_params", summary.totalParams());
        o.put("macs_per_image", summary.macsPerImage());
        ObjectNode shapes = o.putObject("vertex_shapes");
        summary.vertexShapes().forEach((k, v) -> {
            if (isNamedVertex(k)) {
                var arr = shapes.putArray(k);
                for (long d : v) {
                    arr.add(d);
                }
            }
        });
        return o.toString();
    }
}
