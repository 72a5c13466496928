import React from 'react';

// To be built (issue 8).
export default function CaseListPage() {
  return <p className="muted">CaseListPage</p>;
}
