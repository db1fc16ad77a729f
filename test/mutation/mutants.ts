import { parse } from "acorn";

/** One small change to a compiled file: replace `[start, end)` with `replacement`. */
export interface Mutant {
  /** Build-relative path of the compiled file, e.g. `src/xml/parse-xml.js`. */
  file: string;
  operator: MutationOperator;
  start: number;
  end: number;
  original: string;
  replacement: string;
}

export type MutationOperator =
  | "equality"
  | "relational-boundary"
  | "relational-flip"
  | "literal-boundary"
  | "logical"
  | "negate-condition"
  | "remove-negation"
  | "drop-statement"
  | "string-in-comparison"
  | "boolean";

/** An acorn node, read generically: the walker needs no more than type, range and children. */
interface SyntaxNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const equalityFlips: Readonly<Record<string, string>> = { "===": "!==", "!==": "===", "==": "!=", "!=": "==" };
/** `<` → `<=` moves the boundary by one; `<` → `>=` inverts the comparison. */
const relationalBoundary: Readonly<Record<string, string>> = { "<": "<=", "<=": "<", ">": ">=", ">=": ">" };
const relationalFlip: Readonly<Record<string, string>> = { "<": ">=", "<=": ">", ">": "<=", ">=": "<" };
const comparisons = new Set([...Object.keys(equalityFlips), ...Object.keys(relationalBoundary)]);
const droppable = new Set(["ReturnStatement", "ContinueStatement", "BreakStatement", "ThrowStatement", "ExpressionStatement"]);

function isNode(value: unknown): value is SyntaxNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

function* children(node: SyntaxNode): Generator<SyntaxNode> {
  for (const [key, value] of Object.entries(node)) {
    if (key === "type" || key === "start" || key === "end") continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) {
      yield value;
    }
  }
}

function isLiteral(node: unknown, kind: "number" | "string" | "boolean"): node is SyntaxNode & { value: unknown } {
  return isNode(node) && node.type === "Literal" && typeof node.value === kind;
}

/**
 * The mutants of one compiled file: the operators that matter for parsers and policies (operators
 * of comparisons and conditions, boundaries of the numbers compared, the strings compared, and
 * statements that return, stop a loop, throw or have an effect). Every mutant parses.
 */
export function generateMutants(file: string, source: string): Mutant[] {
  const program = parse(source, { ecmaVersion: "latest", sourceType: "module" }) as unknown as SyntaxNode;
  const mutants: Mutant[] = [];
  const text = (node: SyntaxNode): string => source.slice(node.start, node.end);
  const add = (operator: MutationOperator, node: { start: number; end: number }, replacement: string): void => {
    const original = source.slice(node.start, node.end);
    if (replacement !== original) mutants.push({ file, operator, start: node.start, end: node.end, original, replacement });
  };
  const binary = (node: SyntaxNode, operator: string): string => {
    const left = node["left"] as SyntaxNode;
    const right = node["right"] as SyntaxNode;
    return `(${text(left)} ${operator} ${text(right)})`;
  };

  const visit = (node: SyntaxNode, parent: SyntaxNode | undefined): void => {
    switch (node.type) {
      case "BinaryExpression": {
        const operator = node["operator"] as string;
        if (equalityFlips[operator]) add("equality", node, binary(node, equalityFlips[operator]));
        if (relationalBoundary[operator]) add("relational-boundary", node, binary(node, relationalBoundary[operator]));
        if (relationalFlip[operator]) add("relational-flip", node, binary(node, relationalFlip[operator]));
        if (comparisons.has(operator)) {
          for (const side of [node["left"], node["right"]]) {
            if (isLiteral(side, "number")) {
              const value = side.value as number;
              add("literal-boundary", side, String(value + 1));
              if (value > 0) add("literal-boundary", side, String(value - 1));
            }
            if (isLiteral(side, "string") && equalityFlips[operator]) {
              add("string-in-comparison", side, side.value === "" ? '"__mutant__"' : '""');
            }
          }
        }
        break;
      }
      case "LogicalExpression": {
        const operator = node["operator"] as string;
        if (operator === "&&" || operator === "||") add("logical", node, binary(node, operator === "&&" ? "||" : "&&"));
        break;
      }
      case "IfStatement":
      case "ConditionalExpression":
      case "WhileStatement":
      case "DoWhileStatement":
      case "ForStatement": {
        const test = node["test"];
        // A negated comparison is the flipped operator, and a negated `!x` is `x`: made elsewhere.
        const negatedElsewhere = isNode(test) && ((test.type === "UnaryExpression" && test["operator"] === "!") || (test.type === "BinaryExpression" && comparisons.has(test["operator"] as string)));
        if (isNode(test) && !negatedElsewhere) add("negate-condition", test, `!(${text(test)})`);
        break;
      }
      case "UnaryExpression":
        if (node["operator"] === "!") add("remove-negation", node, `(${text(node["argument"] as SyntaxNode)})`);
        break;
      case "SwitchCase": {
        const test = node["test"];
        if (isLiteral(test, "string")) add("string-in-comparison", test, test.value === "" ? '"__mutant__"' : '""');
        break;
      }
      case "Literal":
        if (typeof node["value"] === "boolean") add("boolean", node, String(!node["value"]));
        break;
    }
    if (droppable.has(node.type) && isDroppable(node, parent)) add("drop-statement", node, ";");
    for (const child of children(node)) visit(child, node);
  };
  visit(program, undefined);
  return mutants.filter((mutant) => parses(applyMutant(source, mutant)));
}

/** Statements whose removal is a behaviour change rather than a crash at load time. */
function isDroppable(node: SyntaxNode, parent: SyntaxNode | undefined): boolean {
  if (parent?.type === "Program") return false;
  if (node.type !== "ExpressionStatement") return true;
  const expression = node["expression"] as SyntaxNode;
  if (node["directive"] !== undefined) return false;
  // `super(...)` must run before `this` is touched: removing it only makes the class unusable.
  return !(expression.type === "CallExpression" && (expression["callee"] as SyntaxNode).type === "Super");
}

export function applyMutant(source: string, mutant: Pick<Mutant, "start" | "end" | "replacement">): string {
  return source.slice(0, mutant.start) + mutant.replacement + source.slice(mutant.end);
}

function parses(source: string): boolean {
  try {
    parse(source, { ecmaVersion: "latest", sourceType: "module" });
    return true;
  } catch {
    return false;
  }
}
