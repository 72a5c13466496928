import React from 'react';

// Two ways to edit one thing: in words, or as written (专家视图) for experts; the words come first.
export default function ExpertSwitch({ expert, onChange, words, raw }) {
  return (
    <div className="admin-tabs small" role="tablist" aria-label="编辑方式">
      <button type="button" role="tab" aria-selected={!expert} className={expert ? '' : 'active'} onClick={() => onChange(false)}>{words}</button>
      <button type="button" role="tab" aria-selected={expert} className={expert ? 'active' : ''} onClick={() => onChange(true)}>{raw}</button>
    </div>
  );
}
