import React from 'react';

// To be built (issue 8).
export default function DiffPage() {
  return <p className="muted">DiffPage</p>;
}
