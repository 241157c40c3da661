/**
 * template.yaml as data, with the CloudFormation short-form tags turned into their long form
 * ({"Ref": ...}, {"Fn::Sub": ...}), for the tests that read the template itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

const SHORT_FORMS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Join': 'Fn::Join',
  '!FindInMap': 'Fn::FindInMap',
  '!ImportValue': 'Fn::ImportValue',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!Transform': 'Fn::Transform',
};

/** Scalar, sequence and mapping variants of every short form. `!GetAtt A.B` becomes ["A", "B"]. */
function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [tag, longForm] of Object.entries(SHORT_FORMS)) {
    tags.push({
      tag,
      resolve: (value: string) => {
        if (longForm === 'Fn::GetAtt') {
          const dot = value.indexOf('.');
          return { [longForm]: [value.slice(0, dot), value.slice(dot + 1)] };
        }
        return { [longForm]: value };
      },
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag,
        collection,
        resolve: (node: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [longForm]: node.toJSON() as Json }),
      });
    }
  }
  return tags;
}

export function loadTemplate(): Obj {
  const text = readFileSync(path.join(ROOT, 'template.yaml'), 'utf8');
  return parse(text, { customTags: cloudFormationTags(), maxAliasCount: -1 }) as Obj;
}

