"use client";
import { useMemo } from "react";
import { renderMarkdown } from "@/lib/markdown";
import styles from "./Markdown.module.css";

/** Rendered with markdown-it (html: false) and sanitised by DOMPurify before insertion. */
export default function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={styles.md} dangerouslySetInnerHTML={{ __html: html }} />;
}
