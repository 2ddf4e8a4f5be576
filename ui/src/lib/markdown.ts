/**
 * Agent-written markdown to safe HTML (SECURITY row 35): markdown-it with raw HTML off, no
 * images (no third-party requests), links only http(s) and always
 * rel="noopener noreferrer nofollow ugc"; DOMPurify runs over the result as a second wall.
 */
import MarkdownIt from "markdown-it";
import DOMPurify from "dompurify";

const REL = "noopener noreferrer nofollow ugc";

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.disable(["image"]);
md.validateLink = (url: string) => /^https?:\/\//i.test(url.trim());
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  token.attrSet("rel", REL);
  token.attrSet("target", "_blank");
  return self.renderToken(tokens, idx, options);
};

// Task lists ("- [x] done"): the box becomes ☑ / ☐ instead of literal brackets. Characters,
// not <input> elements: nothing agent-written becomes a form control.
md.core.ruler.after("inline", "task-lists", (state) => {
  const tokens = state.tokens;
  for (let i = 2; i < tokens.length; i++) {
    if (tokens[i]!.type !== "inline" || tokens[i - 2]!.type !== "list_item_open") continue;
    const first = tokens[i]!.children?.[0];
    const m = first && first.type === "text" ? /^\[( |x|X)\]\s+/.exec(first.content) : null;
    if (!m || !first) continue;
    first.content = (m[1] === " " ? "☐ " : "☑ ") + first.content.slice(m[0].length);
  }
  return true;
});

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        const href = node.getAttribute("href") ?? "";
        if (!/^https?:\/\//i.test(href)) node.removeAttribute("href");
        node.setAttribute("rel", REL);
        node.setAttribute("target", "_blank");
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: ["p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"],
    ALLOWED_ATTR: ["href", "rel", "target", "start"],
    ALLOW_DATA_ATTR: false,
  });
}

export function renderMarkdown(src: string): string {
  return purify(md.render(src));
}
