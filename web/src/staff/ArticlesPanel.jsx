import React from 'react';

// The regulation articles a step implements, with their text (contract: `articles:
// [{article, text}]`; older responses only carry `article` and the element's `documentation`).
export function articlesOf(item) {
  if (Array.isArray(item?.articles) && item.articles.length) return item.articles;
  if (item?.article || item?.documentation) return [{ article: item.article || '办理依据', text: item.documentation || '' }];
  return [];
}

export default function ArticlesPanel({ item, title = '办理依据' }) {
  const articles = articlesOf(item);
  const doc = item?.documentation;
  const docShown = articles.some((a) => a.text && doc && a.text.trim() === doc.trim());
  return (
    <aside className="card articles-panel" data-testid="articles-panel" aria-label={title}>
      <h2>{title}</h2>
      {articles.length === 0 && <p className="muted">本环节未引用条款</p>}
      {articles.map((a, i) => (
        <section key={`${a.article}-${i}`} className="article" data-testid="article">
          <h3>{a.article}</h3>
          {a.text ? <p>{a.text}</p> : <p className="muted">（未找到条款原文）</p>}
        </section>
      ))}
      {doc && !docShown && Array.isArray(item?.articles) && item.articles.length > 0 && (
        <section className="article">
          <h3>环节说明</h3>
          <p>{doc}</p>
        </section>
      )}
    </aside>
  );
}
