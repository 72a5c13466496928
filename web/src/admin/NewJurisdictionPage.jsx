import React, { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api.js';
import { ProblemBox } from './common.jsx';
import './admin.css';
import './jurisdiction.css';

const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

// The articles the server splits the text into (the same split the draft will keep), asked for
// a moment after the owner stops typing.
function useArticlePreview(text) {
  const [state, setState] = useState({ articles: [], error: null, loading: false });
  useEffect(() => {
    if (!text.trim()) { setState({ articles: [], error: null, loading: false }); return undefined; }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = window.setTimeout(() => {
      api.post('/drafts/articles-preview', { regulation_text: text })
        .then((articles) => live && setState({ articles, error: null, loading: false }))
        .catch((error) => live && setState({ articles: [], error, loading: false }));
    }, 400);
    return () => { live = false; window.clearTimeout(timer); };
  }, [text]);
  return state;
}

// 新建辖区 (step 1 of 3): name, the regulation's title and text (pasted or a .txt read in the
// browser), its effective date; the draft is created with the articles split from the text,
// then the owner goes on to the offices and units.
export default function NewJurisdictionPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', regulation_title: '', regulation_text: '', effective_from: today() });
  const [fileError, setFileError] = useState(null);
  const [fileName, setFileName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const preview = useArticlePreview(form.regulation_text);
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });

  const readFile = (e) => {
    const file = e.target.files?.[0];
    setFileError(null);
    if (!file) return;
    if (!file.name.toLowerCase().endsWith('.txt')) { setFileError('请选择 .txt 文本文件'); return; }
    const reader = new FileReader();
    reader.onload = () => {
      setForm((f) => ({ ...f, regulation_text: String(reader.result || '') }));
      setFileName(file.name);
    };
    reader.onerror = () => setFileError('文件读取失败，请重试');
    reader.readAsText(file, 'utf-8');
  };

  const create = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const draft = await api.post('/drafts', {
        new_jurisdiction: { ...form, effective_from: form.effective_from || undefined },
        title: `新建辖区：${form.name.trim()}`,
      });
      navigate(`/drafts/${draft.id}/organisation`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const ready = form.name.trim() && form.regulation_title.trim() && preview.articles.length > 0;
  return (
    <div>
      <div className="breadcrumb"><Link to="/drafts">流程修订</Link> › 新建辖区</div>
      <div className="page-head"><h1>新建辖区</h1><span className="muted">第 1 步（共 3 步）：辖区与办法</span></div>
      <ol className="wizard-steps" aria-label="步骤">
        <li className="active">辖区与办法</li><li>机构与单位</li><li>用户与流程</li>
      </ol>
      <form className="card new-jurisdiction" onSubmit={create} data-testid="new-jurisdiction-form">
        <div className="row">
          <div className="grow">
            <label className="field"><span>辖区名称</span>
              <input value={form.name} onChange={set('name')} placeholder="如：某某县" aria-label="辖区名称" required />
            </label>
            <label className="field"><span>办法名称</span>
              <input value={form.regulation_title} onChange={set('regulation_title')} aria-label="办法名称"
                placeholder="如：某某县政务信息化项目管理办法" required />
            </label>
            <label className="field"><span>施行日期</span>
              <input type="date" value={form.effective_from} onChange={set('effective_from')} aria-label="施行日期" />
            </label>
            <label className="field"><span>办法正文（粘贴全文，或选择 .txt 文件）</span>
              <textarea rows={16} value={form.regulation_text} onChange={set('regulation_text')} aria-label="办法正文"
                placeholder={'第一条 为规范……\n第二条 ……'} />
            </label>
            <div className="toolbar">
              {/* the browser's own file button speaks the browser's language: ours says it in Chinese */}
              <label className="button small file-button">选择 .txt 文件
                <input type="file" accept=".txt,text/plain" onChange={readFile} aria-label="选择文本文件" hidden />
              </label>
              {fileName && <span className="muted">已读入：{fileName}</span>}
            </div>
            {fileError && <p className="error-box">{fileError}</p>}
          </div>
          <aside className="article-preview" data-testid="article-preview" aria-label="条款预览">
            <h2>条款预览{preview.articles.length > 0 && <span className="muted">（共 {preview.articles.length} 条）</span>}</h2>
            {preview.loading && <p className="muted">正在拆分条款…</p>}
            <ProblemBox error={preview.error} />
            {!preview.loading && form.regulation_text.trim() && preview.articles.length === 0 && !preview.error && (
              <p className="error-box">没有找到条款：正文应按「第一条……」或「一、……」分条。</p>
            )}
            {!form.regulation_text.trim() && <p className="muted">粘贴正文后，这里列出拆分出的各条，流程中的每一步都要引用其中的条款。</p>}
            <ol className="article-list">
              {preview.articles.map((a) => (
                <li key={a.article}><strong>{a.article}</strong><p>{a.text}</p></li>
              ))}
            </ol>
          </aside>
        </div>
        <ProblemBox error={error} />
        <div className="action-bar">
          <button type="submit" disabled={busy || !ready}>{busy ? '正在创建…' : '创建辖区草稿，下一步：机构与单位'}</button>
          <Link to="/drafts">取消</Link>
        </div>
      </form>
    </div>
  );
}
