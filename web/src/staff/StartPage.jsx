import React from 'react';

// To be built (issue 8).
export default function StartPage() {
  return <p className="muted">StartPage</p>;
}
