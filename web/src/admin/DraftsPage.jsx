import React from 'react';

// To be built (issue 8).
export default function DraftsPage() {
  return <p className="muted">DraftsPage</p>;
}
