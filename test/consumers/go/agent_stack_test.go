// Package consumer synthesises a CostTrackedBedrockAgent from the Go binding and checks the template.
package consumer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	costtracking "github.com/cdk-bedrock-cost-tracking/cdk-bedrock-cost-tracking-go/cdkbedrockcosttracking"
)

type resource struct {
	Type       string                 `json:"Type"`
	Properties map[string]interface{} `json:"Properties"`
}

func synthesise(t *testing.T) map[string]resource {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("GoConsumerStack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("ap-southeast-2")},
	})
	costtracking.NewCostTrackedBedrockAgent(stack, jsii.String("Agent"), &costtracking.CostTrackedBedrockAgentProps{
		Model: costtracking.BedrockModel_CrossRegionProfile(jsii.String("au.anthropic.claude-sonnet-4-6")),
		CostAllocationTags: &costtracking.CostAllocationTags{
			Application: jsii.String("CloudEngineer"),
			Environment: jsii.String("Production"),
			CostCenter:  jsii.String("Engineering"),
		},
	})
	directory := *app.Synth(nil).Directory()
	body, err := os.ReadFile(filepath.Join(directory, "GoConsumerStack.template.json"))
	if err != nil {
		t.Fatalf("reading the template failed: %v", err)
	}
	var template struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(body, &template); err != nil {
		t.Fatalf("parsing the template failed: %v", err)
	}
	return template.Resources
}

func firstOfType(t *testing.T, resources map[string]resource, resourceType string) resource {
	t.Helper()
	for _, candidate := range resources {
		if candidate.Type == resourceType {
			return candidate
		}
	}
	t.Fatalf("no %s in the template", resourceType)
	return resource{}
}

func TestAgentStack(t *testing.T) {
	resources := synthesise(t)

	t.Run("profile copies the Australia profile", func(t *testing.T) {
		profile := firstOfType(t, resources, "AWS::Bedrock::ApplicationInferenceProfile")
		copyFrom, _ := json.Marshal(profile.Properties["ModelSource"])
		if !strings.Contains(string(copyFrom), "inference-profile/au.anthropic.claude-sonnet-4-6") {
			t.Errorf("CopyFrom = %s", copyFrom)
		}
	})

	t.Run("profile carries the tags", func(t *testing.T) {
		profile := firstOfType(t, resources, "AWS::Bedrock::ApplicationInferenceProfile")
		tags := map[string]string{}
		for _, tag := range profile.Properties["Tags"].([]interface{}) {
			entry := tag.(map[string]interface{})
			tags[entry["Key"].(string)] = entry["Value"].(string)
		}
		if tags["Application"] != "CloudEngineer" || tags["Environment"] != "Production" || tags["CostCenter"] != "Engineering" {
			t.Errorf("tags = %v", tags)
		}
	})

	t.Run("function model id is the profile ARN", func(t *testing.T) {
		function := firstOfType(t, resources, "AWS::Lambda::Function")
		variables := function.Properties["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
		modelID, _ := json.Marshal(variables["BEDROCK_MODEL_ID"])
		if !strings.Contains(string(modelID), "InferenceProfileArn") {
			t.Errorf("BEDROCK_MODEL_ID = %s", modelID)
		}
	})

	t.Run("function runs Node.js 22", func(t *testing.T) {
		function := firstOfType(t, resources, "AWS::Lambda::Function")
		if function.Properties["Runtime"] != "nodejs22.x" {
			t.Errorf("Runtime = %v", function.Properties["Runtime"])
		}
	})
}
