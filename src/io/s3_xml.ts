/**
 * Minimal, tolerant readers of the two S3 XML documents the store needs: a
 * ListObjectsV2 page and an error body. Only the elements used are read; namespaces,
 * attributes, CDATA and unknown elements are tolerated.
 * @module
 */

/** One page of a ListObjectsV2 answer. */
export interface ListPage {
  /** Object keys on this page, in the server's order. */
  keys: string[];
  /** Whether more pages follow. */
  isTruncated: boolean;
  /** Token for the next page, when truncated. */
  nextContinuationToken: string | undefined;
}

/** The code and message of an S3 error body. */
export interface S3ErrorBody {
  code: string | undefined;
  message: string | undefined;
}

const namedEntities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Decode XML character data: CDATA sections, named and numeric entities. */
export function decodeXmlText(text: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(text);
  if (cdata) return cdata[1]!;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[name.toLowerCase()] ?? whole;
  });
}

/** Pattern of an element `<name ...>text</name>`, optionally namespace-prefixed. */
function elementPattern(name: string, flags: string): RegExp {
  return new RegExp(
    `<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}\\s*>`,
    flags,
  );
}

/** Text of the first element `name` in `xml`, decoded; undefined when absent. */
function firstText(xml: string, name: string): string | undefined {
  const match = elementPattern(name, "i").exec(xml);
  return match ? decodeXmlText(match[1]!) : undefined;
}

/**
 * Parse one ListObjectsV2 page.
 * @param xml the response body
 * @returns the keys, whether truncated and the next continuation token
 * @throws {SyntaxError} when the body is not a ListBucketResult
 */
export function parseListPage(xml: string): ListPage {
  if (!/<(?:[\w-]+:)?ListBucketResult[\s>]/i.test(xml)) {
    throw new SyntaxError("the answer is not a ListBucketResult document");
  }
  const keys: string[] = [];
  for (const contents of xml.matchAll(elementPattern("Contents", "gi"))) {
    const key = firstText(contents[1]!, "Key");
    if (key !== undefined) keys.push(key);
  }
  // Only the top-level IsTruncated counts; it never occurs inside <Contents>.
  const withoutContents = xml.replace(elementPattern("Contents", "gi"), "");
  const isTruncated = firstText(withoutContents, "IsTruncated")?.trim().toLowerCase() === "true";
  const token = firstText(withoutContents, "NextContinuationToken")?.trim();
  return {
    keys,
    isTruncated,
    nextContinuationToken: token !== undefined && token.length > 0 ? token : undefined,
  };
}

/**
 * Parse an S3 error body; tolerant of empty or non-XML bodies.
 * @param xml the response body (may be empty)
 * @returns the `Code` and `Message`, each undefined when absent
 */
export function parseErrorBody(xml: string): S3ErrorBody {
  const clip = (text: string | undefined) =>
    text === undefined ? undefined : text.trim().replace(/\s+/g, " ").slice(0, 200);
  return { code: clip(firstText(xml, "Code")), message: clip(firstText(xml, "Message")) };
}
