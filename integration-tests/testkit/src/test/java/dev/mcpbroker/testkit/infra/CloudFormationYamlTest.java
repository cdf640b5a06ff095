package dev.mcpbroker.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CloudFormationYamlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static JsonNode value(String yaml) {
        return CloudFormationYaml.read("v: " + yaml).get("v");
    }

    @Test
    void refAndConditionKeepTheirOwnLongForms() throws Exception {
        assertThat(value("!Ref StateTable")).isEqualTo(json("{'Ref': 'StateTable'}"));
        assertThat(value("!Ref AWS::Region")).isEqualTo(json("{'Ref': 'AWS::Region'}"));
        assertThat(value("!Condition IsNative")).isEqualTo(json("{'Condition': 'IsNative'}"));
    }

    @Test
    void getAttSplitsAtTheFirstDotOnlyAndAcceptsTheSequenceForm() throws Exception {
        assertThat(value("!GetAtt StateTable.Arn")).isEqualTo(json("{'Fn::GetAtt': ['StateTable', 'Arn']}"));
        assertThat(value("!GetAtt Db.Endpoint.Address")).isEqualTo(json("{'Fn::GetAtt': ['Db', 'Endpoint.Address']}"));
        assertThat(value("!GetAtt [StateTable, Arn]")).isEqualTo(json("{'Fn::GetAtt': ['StateTable', 'Arn']}"));
        assertThatThrownBy(() -> value("!GetAtt NoAttribute")).hasStackTraceContaining("Resource.Attribute");
    }

    @Test
    void fnTagsWrapScalarsSequencesAndMappingsAndNest() throws Exception {
        assertThat(value("!Sub '${AWS::StackName}-broker'")).isEqualTo(json("{'Fn::Sub': '${AWS::StackName}-broker'}"));
        assertThat(value("!Sub ['x-${n}', {n: !Ref N}]")).isEqualTo(json("{'Fn::Sub': ['x-${n}', {'n': {'Ref': 'N'}}]}"));
        assertThat(value("!If [IsNative, provided.al2023, java21]"))
                .isEqualTo(json("{'Fn::If': ['IsNative', 'provided.al2023', 'java21']}"));
        assertThat(value("!Equals [!Ref Packaging, native]"))
                .isEqualTo(json("{'Fn::Equals': [{'Ref': 'Packaging'}, 'native']}"));
        assertThat(value("!Not [!Condition A]")).isEqualTo(json("{'Fn::Not': [{'Condition': 'A'}]}"));
        assertThat(value("!And [!Condition A, !Condition B]"))
                .isEqualTo(json("{'Fn::And': [{'Condition': 'A'}, {'Condition': 'B'}]}"));
        assertThat(value("!Or [!Condition A, !Equals [a, b]]"))
                .isEqualTo(json("{'Fn::Or': [{'Condition': 'A'}, {'Fn::Equals': ['a', 'b']}]}"));
        assertThat(value("!Join [',', [a, !Ref B]]")).isEqualTo(json("{'Fn::Join': [',', ['a', {'Ref': 'B'}]]}"));
        assertThat(value("!Select [0, !GetAZs '']")).isEqualTo(json("{'Fn::Select': [0, {'Fn::GetAZs': ''}]}"));
        assertThat(value("!Split [',', !ImportValue Shared]"))
                .isEqualTo(json("{'Fn::Split': [',', {'Fn::ImportValue': 'Shared'}]}"));
        assertThat(value("!FindInMap [M, !Ref 'AWS::Region', K]"))
                .isEqualTo(json("{'Fn::FindInMap': ['M', {'Ref': 'AWS::Region'}, 'K']}"));
        assertThat(value("!Base64 {'Fn::Sub': x}")).isEqualTo(json("{'Fn::Base64': {'Fn::Sub': 'x'}}"));
        assertThat(value("!Cidr [!GetAtt Vpc.CidrBlock, 6, 5]"))
                .isEqualTo(json("{'Fn::Cidr': [{'Fn::GetAtt': ['Vpc', 'CidrBlock']}, 6, 5]}"));
        assertThat(value("!GetAZs")).isEqualTo(json("{'Fn::GetAZs': ''}"));
    }

    @Test
    void plainYamlKeepsItsTypesAndDatesStayStrings() throws Exception {
        JsonNode tree = CloudFormationYaml.read("""
                AWSTemplateFormatVersion: 2010-09-09
                n: 29
                b: true
                s: 'true'
                l: [x86_64]
                """);
        assertThat(tree).isEqualTo(json("{'AWSTemplateFormatVersion': '2010-09-09', 'n': 29, 'b': true, 's': 'true', 'l': ['x86_64']}"));
    }

    @Test
    void unknownTagsAndDuplicateKeysAreRejected() {
        assertThatThrownBy(() -> value("!Reff X")).hasStackTraceContaining("unsupported CloudFormation tag !Reff");
        assertThatThrownBy(() -> CloudFormationYaml.read("a: 1\na: 2\n")).hasStackTraceContaining("duplicate key");
    }
}
