import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Concrete values for the intrinsic functions that a synthesised IAM policy contains. A policy
 * simulator evaluates plain strings, so each `Ref` and `Fn::GetAtt` must map to the value that
 * CloudFormation would produce at deployment.
 */
export interface IntrinsicValues {
  /** `AWS::Partition`, for example `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** Values of `Fn::GetAtt`, keyed `LogicalId.Attribute`. */
  readonly attributes: Record<string, string>;
}

/** An IAM policy document whose intrinsic functions are resolved to plain strings. */
export interface ResolvedPolicy {
  readonly name: string;
  readonly document: { Version: string; Statement: any[] };
}

/**
 * Resolves `Ref AWS::Partition`, `Fn::GetAtt` and `Fn::Join` in `value`, and throws on any other
 * intrinsic, so that a new unresolved reference in a policy fails the test instead of being
 * simulated as a literal string.
 */
export function resolveIntrinsics(value: unknown, values: IntrinsicValues): any {
  if (Array.isArray(value)) {
    return value.map((item) => resolveIntrinsics(item, values));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    if (key === 'Ref') {
      if (argument === 'AWS::Partition') {
        return values.partition;
      }
      throw new Error(`no concrete value for Ref ${String(argument)}; add it to the test's intrinsic values`);
    }
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = argument as [string, string];
      const resolved = values.attributes[`${logicalId}.${attribute}`];
      if (resolved === undefined) {
        throw new Error(`no concrete value for Fn::GetAtt ${logicalId}.${attribute}; add it to the test's intrinsic values`);
      }
      return resolved;
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => resolveIntrinsics(part, values)).join(separator);
    }
    if (key.startsWith('Fn::')) {
      throw new Error(`cannot resolve ${key} in a policy; extend resolveIntrinsics`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, values)]));
}

/**
 * Returns every identity policy of the role with logical id `roleLogicalId`: its inline
 * `Policies` and each `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` attached to it, resolved
 * with `values`. Managed policies named by ARN (for example AWS managed ones) make it throw,
 * because the simulation cannot see their content.
 */
export function rolePolicies(stack: Stack, roleLogicalId: string, values: IntrinsicValues): ResolvedPolicy[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') {
    throw new Error(`${roleLogicalId} is not an AWS::IAM::Role in ${stack.stackName}`);
  }
  if ((role.Properties.ManagedPolicyArns ?? []).length > 0) {
    throw new Error(`${roleLogicalId} has managed policy ARNs that the simulation cannot read: ${JSON.stringify(role.Properties.ManagedPolicyArns)}`);
  }

  const policies: ResolvedPolicy[] = (role.Properties.Policies ?? []).map((policy: any) => ({
    name: policy.PolicyName,
    document: resolveIntrinsics(policy.PolicyDocument, values),
  }));
  for (const [logicalId, resource] of Object.entries(resources)) {
    const attached = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy';
    const roles: unknown[] = resource.Properties?.Roles ?? [];
    if (attached && roles.some((ref: any) => ref?.Ref === roleLogicalId)) {
      policies.push({ name: logicalId, document: resolveIntrinsics(resource.Properties.PolicyDocument, values) });
    }
  }
  return policies;
}

/** Returns the logical id of the only resource of `type` in `stack` whose logical id starts with `prefix`. */
export function logicalIdOf(stack: Stack, type: string, prefix = ''): string {
  const ids = Object.keys(Template.fromStack(stack).findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} starting with "${prefix}" in ${stack.stackName}, found ${ids.length}: ${ids.join(', ')}`);
  }
  return ids[0];
}
