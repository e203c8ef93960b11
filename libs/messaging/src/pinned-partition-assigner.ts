import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * For a group of one member (a broadcast reader): every partition of every topic, except the
 * topics pinned to a subset. A gateway reads only its own reply partition this way instead of
 * every gateway's replies.
 */
export function pinnedPartitionAssigner(pinned: Record<string, number[]>): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'PinnedPartitionAssigner',
    version: 0,
    async assign({ members, topics }) {
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) {
        const all = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
        assignment[topic] = pinned[topic] ? all.filter((p) => pinned[topic].includes(p)) : all;
      }
      // Broadcast groups have one member; should a second join, it reads the same partitions.
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'PinnedPartitionAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/** A stable partition of the reply topic for a gateway instance (FNV-1a of its id). */
export function replyPartitionFor(instanceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < instanceId.length; i++) h = Math.imul(h ^ instanceId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}
