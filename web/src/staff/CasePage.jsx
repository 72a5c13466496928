import React from 'react';

// To be built (issue 8).
export default function CasePage() {
  return <p className="muted">CasePage</p>;
}
