package dev.mcpbroker.testkit.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a CloudFormation (or SAM) YAML template into Jackson nodes, turning every short-form intrinsic
 * function tag into the long form CloudFormation itself sees: {@code !Ref X} becomes {@code {"Ref": "X"}},
 * {@code !GetAtt A.B} becomes {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !If [c, a, b]} becomes
 * {@code {"Fn::If": ["c", "a", "b"]}}, and so on. Unknown tags are rejected rather than silently dropped.
 * Timestamps stay strings (CloudFormation does not type them) and duplicate keys are errors. The template tests and
 * the local run (which runs the functions the template declares) read {@code infra/*.yaml} with it.
 */
public final class CloudFormationYaml {

    /** Short-form tag (without "!") to the long-form key, for the tags whose long form is "Fn::" + name. */
    private static final List<String> FN_TAGS = List.of(
            "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "If", "ImportValue", "Join", "Not", "Or",
            "Select", "Split", "Sub", "Transform", "Length", "ToJsonString");

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudFormationYaml() {
    }

    public static JsonNode read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return toTree(yaml().load(reader));
        }
    }

    public static JsonNode read(String yaml) {
        return toTree(yaml().load(yaml));
    }

    private static JsonNode toTree(Object loaded) {
        return JSON.valueToTree(loaded);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new IntrinsicConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, new Resolver());
    }

    private static final class IntrinsicConstructor extends SafeConstructor {

        IntrinsicConstructor(LoaderOptions options) {
            super(options);
            // CloudFormation keeps unquoted dates such as 2010-09-09 as strings.
            yamlConstructors.put(Tag.TIMESTAMP, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    return ((ScalarNode) node).getValue();
                }
            });
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            yamlConstructors.put(new Tag("!GetAtt"), new GetAtt());
            for (String name : FN_TAGS) {
                yamlConstructors.put(new Tag("!" + name), new Intrinsic("Fn::" + name));
            }
            // Any other local tag: fail loudly instead of producing a plausible but wrong tree.
            yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    throw new IllegalArgumentException("unsupported CloudFormation tag " + node.getTag().getValue()
                            + " at " + node.getStartMark());
                }
            });
        }

        /** The tagged node's value as plain data: a string for scalars, a list or a map otherwise. */
        Object value(Node node) {
            if (node instanceof ScalarNode scalar) {
                return scalar.getValue();
            }
            if (node instanceof SequenceNode sequence) {
                return constructSequence(sequence);
            }
            Map<Object, Object> map = new LinkedHashMap<>();
            constructMapping2ndStep((MappingNode) node, map);
            return map;
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put(key, value(node));
                return function;
            }
        }

        private final class GetAtt extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                Object value = value(node);
                if (value instanceof String dotted) {
                    int dot = dotted.indexOf('.');
                    if (dot <= 0 || dot == dotted.length() - 1) {
                        throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got '" + dotted + "' at "
                                + node.getStartMark());
                    }
                    // The attribute may itself contain dots (e.g. Endpoint.Address): split at the first one only.
                    value = List.of(dotted.substring(0, dot), dotted.substring(dot + 1));
                }
                return Map.of("Fn::GetAtt", value);
            }
        }
    }
}
