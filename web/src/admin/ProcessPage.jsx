import React from 'react';

// To be built (issue 8).
export default function ProcessPage() {
  return <p className="muted">ProcessPage</p>;
}
