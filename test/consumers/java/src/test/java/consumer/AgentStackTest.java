package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdkbedrockcosttracking.BedrockModel;
import io.github.cdkbedrockcosttracking.CostAllocationTags;
import io.github.cdkbedrockcosttracking.CostTrackedBedrockAgent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** Synthesises a CostTrackedBedrockAgent from the Java binding and checks the template. */
class AgentStackTest {
  private static JsonNode template;

  @BeforeAll
  static void synthesise() throws IOException {
    Path outdir = Files.createTempDirectory("java-consumer");
    App app = new App(AppProps.builder().outdir(outdir.toString()).build());
    Stack stack = new Stack(app, "JavaConsumerStack", StackProps.builder()
        .env(Environment.builder().region("ap-southeast-2").build())
        .build());
    CostTrackedBedrockAgent.Builder.create(stack, "Agent")
        .model(BedrockModel.crossRegionProfile("au.anthropic.claude-sonnet-4-6"))
        .costAllocationTags(CostAllocationTags.builder()
            .application("CloudEngineer")
            .environment("Production")
            .costCenter("Engineering")
            .build())
        .build();
    String directory = app.synth().getDirectory();
    template = new ObjectMapper().readTree(new File(directory, "JavaConsumerStack.template.json"));
  }

  private static List<JsonNode> resourcesOfType(String type) {
    List<JsonNode> found = new ArrayList<>();
    template.get("Resources").forEach(resource -> {
      if (type.equals(resource.get("Type").asText())) {
        found.add(resource);
      }
    });
    return found;
  }

  @Test
  void profileCopiesAustraliaProfile() {
    JsonNode profile = resourcesOfType("AWS::Bedrock::ApplicationInferenceProfile").get(0);
    String copyFrom = profile.at("/Properties/ModelSource/CopyFrom").toString();
    assertTrue(copyFrom.contains("inference-profile/au.anthropic.claude-sonnet-4-6"), copyFrom);
  }

  @Test
  void profileCarriesTags() {
    JsonNode profile = resourcesOfType("AWS::Bedrock::ApplicationInferenceProfile").get(0);
    Map<String, String> tags = new HashMap<>();
    profile.at("/Properties/Tags").forEach(tag -> tags.put(tag.get("Key").asText(), tag.get("Value").asText()));
    assertEquals(Map.of("Application", "CloudEngineer", "Environment", "Production", "CostCenter", "Engineering"), tags);
  }

  @Test
  void functionModelIdIsProfileArn() {
    JsonNode function = resourcesOfType("AWS::Lambda::Function").get(0);
    JsonNode modelId = function.at("/Properties/Environment/Variables/BEDROCK_MODEL_ID/Fn::GetAtt/1");
    assertEquals("InferenceProfileArn", modelId.asText());
  }

  @Test
  void functionRunsNode22OnArm64() {
    JsonNode function = resourcesOfType("AWS::Lambda::Function").get(0);
    assertEquals("nodejs22.x", function.at("/Properties/Runtime").asText());
    assertEquals("arm64", function.at("/Properties/Architectures/0").asText());
  }

  @Test
  void invalidPropNamesTheFix() {
    Stack stack = new Stack(new App(), "InvalidStack");
    RuntimeException error = assertThrows(RuntimeException.class, () -> CostTrackedBedrockAgent.Builder.create(stack, "Agent")
        .model(BedrockModel.foundationModel("amazon.nova-pro-v1:0"))
        .costAllocationTags(CostAllocationTags.builder().application("CloudEngineer").build())
        .maxToolRounds(0)
        .build());
    assertTrue(error.getMessage().contains("invalid maxToolRounds 0"), error.getMessage());
  }
}
