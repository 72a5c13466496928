import React from 'react';

// To be built (issue 8).
export default function CoveragePage() {
  return <p className="muted">CoveragePage</p>;
}
