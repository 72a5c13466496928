import React from 'react';

// The regulation articles a step implements, with their text (contract: `articles:
// [{article, text}]`; older responses only carry `article` and the element's `documentation`).
const ARTICLE = /第[一二三四五六七八九十百零〇两\d]+[条章款项节]/;

export function articlesOf(item) {
  if (Array.isArray(item?.articles) && item.articles.length) {
    // A citation with no regulation text that is not an article either ("流程图：…") is the
    // documentation's own heading, not a citation.
    const cited = item.articles.filter((a) => a && (a.text || ARTICLE.test(a.article || '')));
    if (cited.length) return cited;
  }
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
        <section key={`${a.article}-${i}`} className="article-text" data-testid="article">
          <h3>{a.article}</h3>
          {a.text ? <p>{a.text}</p> : <p className="muted">（未找到条款原文）</p>}
        </section>
      ))}
      {doc && !docShown && articles.length > 0 && articles[0].text !== doc && (
        <section className="article-text">
          <h3>环节说明</h3>
          <p>{doc}</p>
        </section>
      )}
    </aside>
  );
}
