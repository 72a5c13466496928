// A PDF shown in the page (pdf.js, bundled: nothing is loaded from elsewhere). The bytes come
// through the bearer token like a download; each page is drawn on a canvas.
import React, { useEffect, useRef, useState } from 'react';
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';
import { request } from '../api.js';
import { ProblemBox } from './ui.jsx';

GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).toString();
const MAX_PAGES = 30;

export default function PdfPreview({ id, name }) {
  const holder = useRef(null);
  const [error, setError] = useState(null);
  const [pages, setPages] = useState(null);
  useEffect(() => {
    let live = true;
    let task = null;
    (async () => {
      try {
        const response = await request('GET', `/attachments/${encodeURIComponent(id)}/content`, { raw: true });
        const data = new Uint8Array(await response.arrayBuffer());
        task = getDocument({ data, isEvalSupported: false });
        const pdf = await task.promise;
        if (!live) return;
        setPages(pdf.numPages);
        for (let n = 1; n <= Math.min(pdf.numPages, MAX_PAGES) && live; n += 1) {
          const page = await pdf.getPage(n);
          const viewport = page.getViewport({ scale: 1.2 });
          const canvas = document.createElement('canvas');
          canvas.width = viewport.width;
          canvas.height = viewport.height;
          canvas.setAttribute('aria-label', `《${name}》第 ${n} 页`);
          holder.current?.appendChild(canvas);
          await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
        }
      } catch (e) {
        if (live) setError(e?.title ? e : { title: '无法预览该文件', message: '请下载后查看' });
      }
    })();
    return () => { live = false; task?.destroy(); };
  }, [id, name]);
  return (
    <div className="pdf-preview" data-testid="pdf-preview">
      <ProblemBox error={error} />
      {pages > MAX_PAGES && <p className="muted small">共 {pages} 页，此处显示前 {MAX_PAGES} 页；完整内容请下载。</p>}
      <div ref={holder} className="pdf-pages" />
    </div>
  );
}
