import React from 'react';

// To be built (issue 8).
export default function NoticesPage() {
  return <p className="muted">NoticesPage</p>;
}
