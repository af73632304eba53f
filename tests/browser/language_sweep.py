"""What the language sweep reads from a page: every visible text node and attribute a person
meets (aria-label, title, placeholder, alt), with whether it came from the catalogs."""
from __future__ import annotations

import re

# The other language's script in a page: Han characters on an English page; on a Chinese page
# an English word of three letters or more that has a lower-case letter (acronyms such as PDF,
# CSV, ID are the same in both catalogs).
HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # with CJK and full-width punctuation
ENGLISH_WORD = re.compile(r"\b(?=[A-Za-z]*[a-z])[A-Za-z]{3,}\b")

COLLECT = r"""
() => {
  const out = [];
  const visible = (el) => !!el && !el.closest("[hidden], [aria-hidden=true], script, style, noscript, template")
    && el.getClientRects().length > 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !(visible(el) || el.closest(".visually-hidden"))) continue;
    out.push({ text, lang: el.closest("[lang]")?.getAttribute("lang") || "", key: el.getAttribute("data-i18n"),
      where: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "") });
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const text = (el.getAttribute(name) || "").trim();
      if (text) out.push({ text, lang: el.closest("[lang]")?.getAttribute("lang") || "",
        key: el.getAttribute(`data-i18n-${name}`), where: `${el.tagName.toLowerCase()}[${name}]` });
    }
  }
  out.push({ text: document.title.replace(/^\(\d+\) /, ""), lang: document.documentElement.lang,
    key: document.querySelector("title").getAttribute("data-i18n"), where: "title" });
  return out;
}
"""


def leaks(texts: list[dict], page_lang: str, catalog: dict[str, str], data: set[str]) -> list[str]:
    """The texts in the other language. A catalog message shown as written is trusted (some
    name codes on purpose: "例如 account:1"); the server's data (names, units, questions) is
    taken out of every text before it is read."""
    found = []
    by_length = sorted(data, key=len, reverse=True)
    for item in texts:
        if item["lang"] and item["lang"] != page_lang:
            continue  # marked as the other language on purpose (the language switch)
        text = item["text"]
        if item.get("key") and catalog.get(item["key"]) == text:
            continue
        for value in by_length:
            if value in text:
                text = text.replace(value, " ")
        other = HAN.search(text) if page_lang == "en" else ENGLISH_WORD.search(text)
        if other:
            found.append(f"{item['where']}: {item['text']!r}")
    return found


def strings_in(value: object) -> set[str]:
    """Every string in a JSON answer: what the server holds is data, in whatever language."""
    if isinstance(value, str):
        return {value} if len(value.strip()) >= 2 else set()
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()
